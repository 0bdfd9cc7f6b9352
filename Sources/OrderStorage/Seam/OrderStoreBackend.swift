import OrderCore

/// A shop's order database as embedders see it: where it is, how many write transactions it
/// ran, and a checksum of its content. The engine's `Engine.store`.
///
/// The operations that read and change orders are not public: they run only inside a command
/// (`StoreBackend.write` hands out a `StoreTransaction`, both `package`-scoped), so no embedder
/// can append a payment or draw a number and skip the command's rules.
public protocol OrderStoreBackend: AnyObject, Sendable {
    /// What was opened: a file path, `:memory:`, or a connection URL without its password.
    var path: String { get }
    /// Write transactions committed or rolled back so far (for benchmarks).
    var writeTransactionCount: Int { get }
    /// A checksum over every table's content (equal content, equal checksum; for tests that
    /// prove bad input changed nothing). Throws `storage` when the database cannot be read.
    func contentChecksum() throws -> String
}

/// A store backend the engine runs commands on (SQLite: `OrderStore`; PostgreSQL:
/// `OrderStorePostgres`). Thread-safe: any thread may call `read` and `write`.
package protocol StoreBackend: OrderStoreBackend {
    /// Runs `body` in one write transaction, committed when it returns and rolled back when it
    /// throws (its error rethrown; database errors become `storage`). Writers that would
    /// conflict are serialised or retried by the backend, never interleaved.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
    /// Runs `body` on one consistent snapshot; `body` must not write.
    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
}
