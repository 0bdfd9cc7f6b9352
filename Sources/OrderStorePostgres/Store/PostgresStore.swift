import OrderCore
import OrderStorage
import PostgresClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL store of one shop: the engine's `StoreBackend` over libpq, for shops whose
/// application servers share one database.
///
/// **Threads:** any thread may call `read` and `write`. The store keeps a small pool of
/// connections (at most ``maxConnections``; a connection serves one transaction at a time,
/// a caller waits when all are busy), so the threads of one engine run their transactions
/// side by side, as several servers do.
///
/// **Writes** run at READ COMMITTED; what must be serialised is locked by the database: the
/// order row (`lockOrder`: `SELECT … FOR UPDATE`, taken by every command that changes an order
/// or records an effect for it) and the number series row (``PostgresNumbering``). A
/// serialization failure (`40001`) or deadlock (`40P01`) rolls the transaction back and runs
/// the whole body again, at most ``maxAttempts`` times — also when the engine caught the error
/// inside a savepoint (``TransactionHealth``); the body is the same command with the same
/// idempotency keys. An exhausted retry is `conflict`.
///
/// **Reads** run at REPEATABLE READ: one snapshot for the whole command, so an order and its
/// ledgers are read consistently (and only such reads add to the aggregate cache).
///
/// **Connection loss:** the command that lost its connection fails with `storage` (its
/// transaction rolled back on the server; a loss during COMMIT says the outcome is unknown,
/// which reconcile settles for effects); the next command on that connection connects again.
///
/// **Caches:** the aggregate cache is validated by the order's version read in the same
/// transaction, and the engine's configuration cache by `meta.config_generation`: a write
/// commits only together with a check that the generation is still the one its configuration
/// is of (in the COMMIT's round trip), a read checks it with its first statement (its snapshot
/// holds it); a changed generation rolls the transaction back and runs it again with the
/// configuration reloaded, so another server's change is never missed and nothing commits on
/// the configuration it replaced.
public final class PostgresStore: StoreBackend {
    /// What was opened: the URL without its password.
    public let path: String
    /// At most this many connections per store.
    public let maxConnections: Int
    /// A transaction that fails with a serialization failure or deadlock is run at most this often.
    public static let maxAttempts = 5

    private let url: String
    private let durability: Durability
    private let idle = Locked<[PostgresConnection]>([])
    private let free: Locked<Int>
    private let waiters = Locked<Int>(0)
    private let cache = AggregateCache(capacity: 4096)
    private let writes = Atomic<Int>(0)

    /// Write transactions committed or rolled back so far (a retried one counts once).
    public var writeTransactionCount: Int { writes.load(ordering: .relaxed) }

    /// Opens the store at `url` (`postgresql://…`; libpq parameters pass through) and applies
    /// pending migrations under the migrations' advisory lock. Throws `storage` when the server
    /// cannot be reached or a migration fails, `misuse` for a database of a newer engine.
    public init(url: String, options: StoreOptions = StoreOptions(), maxConnections: Int = 8) throws(OrderError) {
        self.url = url
        self.path = PostgresStore.withoutPassword(url)
        self.durability = options.durability
        self.maxConnections = max(1, maxConnections)
        self.free = Locked(self.maxConnections)
        do {
            let c = try PostgresConnection(url: url)
            try PostgresSchema.migrate(c)
            idle.withLock { $0.append(c) }
        } catch let e as OrderError {
            throw e
        } catch let e as PostgresError {
            // A URL libpq cannot parse is `invalid`, a newer database `misuse`; the rest is storage.
            throw OrderError(e.kind == .misuse || e.kind == .value ? e.code : .storage, "cannot open database \(path): \(e.description)")
        } catch {
            throw OrderError(.storage, "cannot open database \(path): \(error)")
        }
    }

    // MARK: - Transactions

    /// Runs `body` in one READ COMMITTED transaction, committed when it returns and rolled back
    /// when it throws; retried on a serialization failure or deadlock (see the type's notes).
    package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        writes.add(1, ordering: .relaxed)
        return try withConnection { c in
            var attempt = 1
            var deferConfigCheck = true
            while true {
                let health = TransactionHealth()
                health.deferConfigCheck = deferConfigCheck
                do {
                    return try c.transaction(.readCommitted) { () throws -> T in
                        // Each commit as durable as asked, whatever the server's default: `full`
                        // waits for the WAL flush (a server crash loses no acknowledged command),
                        // `normal` does not. SET LOCAL, so a reconnected session needs nothing; it
                        // goes out with BEGIN and the first statement, in one round trip.
                        try c.enqueue(durability == .normal ? "SET LOCAL synchronous_commit = off" : "SET LOCAL synchronous_commit = on")
                        let value = try body(PostgresTransaction(c, cache: cache, isRead: false, health: health))
                        if let fatal = health.fatal { throw fatal }
                        return value
                    }
                } catch {
                    if health.configChanged || PostgresTransaction.isConfigGuardFailure(error)
                        || PostgresStore.configChanged(since: health.startGeneration, refusal: error, on: c) {
                        // The configuration changed (before or while this ran): nothing was
                        // committed; run the body again, reading the generation at once.
                        guard attempt < PostgresStore.maxAttempts else {
                            throw OrderError(.conflict, "database write failed after \(PostgresStore.maxAttempts) attempts: the shop's configuration kept changing while it ran")
                        }
                        attempt += 1
                        deferConfigCheck = false
                        continue
                    }
                    let fatal = health.fatal ?? (error as? PostgresError).flatMap { $0.isRetryable || $0.isConnectionLoss ? $0 : nil }
                    if let fatal, fatal.isRetryable, attempt < PostgresStore.maxAttempts {
                        attempt += 1
                        usleep(UInt32.random(in: 200...(2000 * UInt32(attempt))))
                        continue
                    }
                    throw PostgresStore.storeError(fatal ?? error, doing: "write")
                }
            }
        }
    }

    /// Runs `body` on one REPEATABLE READ snapshot; `body` must not write.
    package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try withConnection { c in
            var deferConfigCheck = true
            while true {
                let health = TransactionHealth()
                health.deferConfigCheck = deferConfigCheck
                do {
                    return try c.transaction(.repeatableRead) { () throws -> T in
                        let value = try body(PostgresTransaction(c, cache: cache, isRead: true, health: health))
                        if let fatal = health.fatal { throw fatal }
                        return value
                    }
                } catch {
                    // A stale cached configuration: read again on a new snapshot, generation first.
                    if health.configChanged && deferConfigCheck {
                        deferConfigCheck = false
                        continue
                    }
                    throw PostgresStore.storeError(health.fatal ?? error, doing: "read")
                }
            }
        }
    }

    /// A checksum over every table's content, for tests that prove bad input changed nothing.
    public func contentChecksum() throws -> String {
        try read { s in try s.contentChecksum() }
    }

    // MARK: - Connections

    /// Runs `body` with a connection of the pool: an idle one, else a new one while fewer
    /// than ``maxConnections`` exist, else the next one returned. A connection that failed to
    /// connect is not kept; one that lost its server is kept and connects again on next use.
    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let c = try acquire()
        defer { idle.withLock { $0.append(c) } }
        return try body(c)
    }

    private func acquire() throws -> PostgresConnection {
        while true {
            if let c = idle.withLock({ $0.popLast() }) { return c }
            let mayOpen = free.withLock { n -> Bool in
                guard n > 0 else { return false }
                n -= 1
                return true
            }
            if mayOpen {
                do { return try PostgresConnection(url: url) } catch {
                    free.withLock { $0 += 1 }
                    throw PostgresStore.storeError(error, doing: "connect")
                }
            }
            usleep(200)
        }
    }

    /// True when a write refused by the command itself (an `OrderError`: policy, not found, …)
    /// ran on a configuration another server has changed since: the refusal may be the stale
    /// configuration's, so the command runs again. Costs a round trip, on refusals only.
    private static func configChanged(since guarded: Int64?, refusal error: any Error, on c: PostgresConnection) -> Bool {
        guard let guarded, error is OrderError, !c.inTransaction else { return false }
        let now = try? c.query(PostgresTransaction.configGenerationQuery).first?.int(0)
        return now.map { $0 != guarded } ?? false
    }

    // MARK: - Errors

    /// The engine's error for a failure of a transaction: an `OrderError` as it is; an
    /// exhausted retry, a row lock not granted within `lock_timeout` (`55P03`), or a queued order
    /// UPDATE whose version check failed, `conflict`;
    /// every other database failure `storage`, with the server's
    /// reason (as the SQLite store reports its refusals).
    static func storeError(_ error: any Error, doing what: String) -> OrderError {
        if let e = error as? OrderError { return e }
        if let e = error as? PostgresError {
            if e.isRetryable {
                return OrderError(.conflict, "database \(what) failed after \(maxAttempts) attempts on concurrent changes: \(e.description)")
            }
            if PostgresTransaction.isVersionGuardFailure(e) {
                return OrderError(.conflict, "database \(what) failed: an order was changed concurrently (its version moved under this transaction's row lock): \(e.description)")
            }
            if e.sqlState == "55P03" {
                return OrderError(.conflict, "database \(what) failed: another command held a row it needs for longer than lock_timeout; try again: \(e.description)")
            }
            return OrderError(e.kind == .misuse ? .misuse : .storage, "database \(what) failed: \(e.description)")
        }
        return OrderError(.storage, "database \(what) failed: \(error)")
    }

    /// `url` without its password (`postgresql://user:secret@host/db` → `postgresql://user@host/db`,
    /// and no `password=` parameter), for messages and ``path``.
    public static func withoutPassword(_ url: String) -> String { ConnectionURL.redacted(url, mask: nil) }

    /// True when `location` is a PostgreSQL URL (`postgresql://` or `postgres://`, the scheme
    /// in any case), which this store opens; anything else is for another store.
    public static func isURL(_ location: String) -> Bool { ConnectionURL.isPostgres(location) }
}
