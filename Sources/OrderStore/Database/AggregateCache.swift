import OrderCore
import Synchronization

/// Recently read orders with their ledgers, keyed by order number and validated by version.
///
/// Correctness: an order's `version` is bumped by every change to it or its ledgers, so a
/// committed (number, version) always has the same content. Entries are added only from read
/// transactions, which see committed data; a write transaction may read from the cache (the
/// version check still applies) but never adds to it, because what it sees may roll back.
/// Bounded; when full, an arbitrary half is dropped.
final class AggregateCache: Sendable {
    private let entries = Locked<[Int64: OrderAggregate]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The cached aggregate of `number` if it is at `version`.
    func get(_ number: Int64, version: Int64) -> OrderAggregate? {
        entries.withLock { e in
            guard let a = e[number], a.order.version == version else { return nil }
            return a
        }
    }

    func put(_ a: OrderAggregate) {
        entries.withLock { e in
            if e.count >= capacity {
                for k in e.keys.prefix(capacity / 2) { e.removeValue(forKey: k) }
            }
            e[a.order.number] = a
        }
    }
}
