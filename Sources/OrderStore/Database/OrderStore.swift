@_exported import OrderStorage
import GRDB
import OrderCore
import Synchronization

/// The SQLite store of one shop: a file in WAL mode (concurrent readers, one writer at a
/// time, also across processes) or an in-memory database.
///
/// Thread-safe: any thread may call `read` and `write`; writes are serialised (GRDB's writer
/// queue within a process, SQLite's write lock with `BEGIN IMMEDIATE` and a busy timeout
/// across processes); reads on a file run concurrently with writes on WAL snapshots.
public final class OrderStore: StoreBackend {
    private let writer: any DatabaseWriter
    private let cache = AggregateCache(capacity: 4096)
    private let writes = Atomic<Int>(0)

    /// Write transactions committed or rolled back so far (for benchmarks).
    public var writeTransactionCount: Int { writes.load(ordering: .relaxed) }
    /// The path opened, or `:memory:`.
    public let path: String
    /// The names of this build's schema migrations, in order (as recorded in `grdb_migrations`).
    public static var migrations: [String] { Schema.migrator.migrations }

    /// The first of `recorded` (a database's `grdb_migrations` identifiers) that this build
    /// does not know — the database was written by a newer engine — or nil.
    public static func unknownMigration(in recorded: [String]) -> String? {
        let known = Set(migrations)
        return recorded.sorted().first { !known.contains($0) }
    }

    /// Opens (creating if needed) the store at `path`; `nil` or `":memory:"` opens an in-memory
    /// database. Runs pending migrations. Throws `storage` if the file cannot be opened or is
    /// not an OrderEngine database, `misuse` if a newer engine has migrated it.
    public init(path: String?, options: StoreOptions = StoreOptions()) throws(OrderError) {
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeoutSeconds)
        config.foreignKeysEnabled = true
        let sync = options.durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync)")
            // Every command runs in a savepoint; SQLite keeps each savepoint's statement
            // journal in a temporary *file* by default, which cost ~180 pwrite calls per order
            // in the lifecycle benchmark. In memory it is a copy of the pages touched.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // A group-commit batch of 1,000 orders dirties ~6 MB of pages; with the default
            // 2 MB cache SQLite spills them to the WAL mid-transaction and writes them again.
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            if let path, path != ":memory:" {
                self.path = path
                try ForeignCheck.check(path: path)
                writer = try DatabasePool(path: path, configuration: config)
            } else {
                self.path = ":memory:"
                writer = try DatabaseQueue(configuration: config)
            }
            // Up to date: open with reads only, so a read command never waits for another
            // process's write lock just to learn that there is nothing to migrate.
            let migrator = Schema.migrator
            if try !writer.read({ db in try migrator.hasCompletedMigrations(db) }) {
                try migrator.migrate(writer)
            }
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "cannot open database \(path ?? ":memory:"): \(OrderStore.describe(error))")
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, committed when it returns and rolled
    /// back when it throws (its error is rethrown; SQLite errors become `storage`).
    package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        writes.add(1, ordering: .relaxed)
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(StoreSession(db: db, cache: cache, isRead: false))
                    return .commit
                }
                return result!
            }
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "database write failed: \(OrderStore.describe(error))")
        }
    }

    /// Runs `body` in a read transaction on a consistent snapshot. On a file, reads run on
    /// GRDB's read-only reader connections, concurrently with the writer. In memory there is one
    /// connection, and GRDB's `read` would toggle `PRAGMA query_only`, which makes SQLite expire
    /// and re-prepare every cached statement (measured: most of the cost of `order.get`); so
    /// in-memory reads run directly on the serialised connection (read commands never write:
    /// the registry runs them without write access).
    package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        do {
            if writer is DatabaseQueue {
                // One connection whose queue serialises every access: no writer can interleave,
                // so the reads of one command see one state without a transaction.
                return try writer.writeWithoutTransaction { db in try body(StoreSession(db: db, cache: cache, isRead: true)) }
            }
            return try writer.read { db in try body(StoreSession(db: db, cache: cache, isRead: true)) }
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "database read failed: \(OrderStore.describe(error))")
        }
    }

    /// A checksum over every table's content, for tests that prove bad input changed nothing.
    public func contentChecksum() throws -> String {
        try read { s in try s.contentChecksum() }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }
}
