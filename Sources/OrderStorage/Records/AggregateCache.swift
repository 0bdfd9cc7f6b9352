import OrderCore
import Synchronization

/// Recently read orders with their ledgers, keyed by order number and validated by version.
///
/// Correctness: an order's `version` is bumped by every change to it or its ledgers, so a
/// committed (number, version) always has the same content. Entries are added only from read
/// transactions, which see committed data; a write transaction may read from the cache (the
/// version check still applies) but never adds to it, because what it sees may roll back.
/// Bounded; when full, an arbitrary half is dropped. Shared by the backends: each validates a
/// hit by the version it reads in the same transaction, so another process's or server's
/// write (which bumps the version) is never served from here.
package final class AggregateCache: Sendable {
    private let entries = Locked<[Int64: OrderAggregate]>([:])
    private let capacity: Int

    /// A cache of at most `capacity` orders.
    package init(capacity: Int) { self.capacity = capacity }

    /// The cached aggregate of `number` if it is at `version`.
    package func get(_ number: Int64, version: Int64) -> OrderAggregate? {
        entries.withLock { e in
            guard let a = e[number], a.order.version == version else { return nil }
            return a
        }
    }

    /// Adds `a` (read in a read transaction, so committed).
    package func put(_ a: OrderAggregate) {
        entries.withLock { e in
            if e.count >= capacity {
                for k in e.keys.prefix(capacity / 2) { e.removeValue(forKey: k) }
            }
            e[a.order.number] = a
        }
    }
}
