import OrderCore
import Synchronization

/// A carrier that books labels in memory and returns tracking numbers such as
/// `GLS-00000001`. A repeated idempotency key returns the first label. Can be told to fail.
public final class SimulatedCarrier: Carrier {
    private struct State {
        var labels: KeyedMemory<Label>
        var next = 1
        var failing = false
        /// Tracking-number prefixes by carrier name.
        var prefixes: [String: String] = [:]
    }

    private let state: Locked<State>

    /// A carrier remembering every label's key, or with `retainKeys` only the most recent ones
    /// (a forgotten key books a new label; for long benchmarks).
    public init(retainKeys: Int? = nil) {
        state = Locked(State(labels: KeyedMemory(capacity: retainKeys)))
    }

    /// Makes every booking throw (or stop throwing).
    public func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    public func bookLabel(_ r: LabelRequest) throws -> Label {
        try state.withLock { s in
            if let l = s.labels[r.idempotencyKey] { return l }
            if s.failing { throw PortFailure("carrier \(r.carrier) is not answering (simulated)") }
            s.next += 1
            // Derived from the order and parcel number in the key ("label-<order>-<parcel>"),
            // so tracking numbers do not repeat across processes (each `oe call` has a
            // simulator of its own).
            let parts = r.idempotencyKey.utf8.split(separator: UInt8(ascii: "-"))
            var digits = parts.count >= 2 ? parts.suffix(2).map { String(decoding: $0, as: UTF8.self) }.joined() : ""
            if digits.isEmpty || !digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { digits = String(s.next) }
            let prefix = s.prefixes[r.carrier] ?? {
                let p = String(r.carrier.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(8))
                s.prefixes[r.carrier] = p
                return p
            }()
            let padding = String(repeating: "0", count: max(0, 8 - digits.utf8.count))
            let l = Label(tracking: (prefix.isEmpty ? "TRK" : prefix) + "-" + padding + digits)
            s.labels.insert(r.idempotencyKey, l)
            return l
        }
    }

    /// Labels booked so far (of the keys remembered).
    public var bookedCount: Int { state.withLock { $0.labels.count } }
}
