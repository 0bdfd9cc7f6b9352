/// What a simulator remembers by idempotency key: everything by default, or only the most
/// recent `capacity` keys, the oldest forgotten first — as real gateways keep keys for a while
/// (Stripe: 24 hours), and so a benchmark over a million orders runs in constant memory.
///
/// A forgotten key is answered as never seen. Not thread-safe; the simulators lock around it.
struct KeyedMemory<Value> {
    private var values: [String: Value] = [:]
    /// Keys in insertion order, as a ring once `capacity` is reached.
    private var ring: [String] = []
    private var oldest = 0
    let capacity: Int?

    init(capacity: Int?) {
        precondition(capacity.map { $0 > 0 } ?? true, "capacity must be positive")
        self.capacity = capacity
    }

    subscript(key: String) -> Value? { values[key] }

    /// Remembers `value` for a key not remembered now, forgetting the oldest key when full.
    mutating func insert(_ key: String, _ value: Value) {
        guard values.updateValue(value, forKey: key) == nil, let capacity else { return }
        if ring.count < capacity {
            ring.append(key)
        } else {
            values.removeValue(forKey: ring[oldest])
            ring[oldest] = key
            oldest = (oldest + 1) % capacity
        }
    }

    /// The values remembered now.
    var all: Dictionary<String, Value>.Values { values.values }
    /// How many keys are remembered now.
    var count: Int { values.count }
}
