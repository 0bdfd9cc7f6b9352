import OrderCore
import OrderStorage
import PostgresClient

/// One transaction of the PostgreSQL store: the operations of the seam's `StoreTransaction`
/// over one connection with an open transaction, grouped by concern in this folder (orders,
/// ledgers, returns, queries, effects, outbox; here locks, savepoints, configuration and
/// number series). Made by ``PostgresStore`` for each `write` and `read`.
public struct PostgresTransaction {
    /// The connection, inside the transaction this value was made for.
    public let connection: PostgresConnection
    /// The gateway effects recorded in this transaction are sent to: its identity, or the
    /// error to refuse them with when no gateway is configured (nil: recorded unnamed).
    package var effectGateway: Result<String, OrderError>?

    /// Decoded orders shared across transactions (``AggregateCache``), nil for none.
    let cache: AggregateCache?
    /// Whether this is a read transaction (only those may add to the cache).
    let isRead: Bool
    /// Where a failure that dooms the whole transaction is noted (see ``TransactionHealth``).
    let health: TransactionHealth

    /// The operations on `connection`, which must have a transaction open.
    public init(_ connection: PostgresConnection) { self.init(connection, cache: nil, isRead: false) }

    init(_ connection: PostgresConnection, cache: AggregateCache?, isRead: Bool, health: TransactionHealth = TransactionHealth()) {
        self.connection = connection
        self.cache = cache
        self.isRead = isRead
        self.health = health
    }

    /// Runs one statement. A serialization failure, deadlock or lost connection is noted in
    /// ``health`` before it is thrown, so the store retries or fails the whole transaction
    /// even when a caller caught the error inside a savepoint.
    @discardableResult
    func rows(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        try batch([(sql, parameters)])[0]
    }

    /// Runs `statements` one after another in one round trip (``PostgresConnection/queries(_:)``),
    /// noting a fatal failure as ``rows(_:_:)`` does.
    func batch(_ statements: [(String, [PostgresValue])]) throws -> [PostgresResult] {
        do {
            return try connection.queries(statements)
        } catch let e as PostgresError {
            if e.isRetryable || e.isConnectionLoss || Self.isVersionGuardFailure(e) { health.fatal = health.fatal ?? e }
            throw e
        }
    }

    /// An FNV-1a hash over every row of every table of the store (in its text form, sorted).
    package func contentChecksum() throws -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let tables = try rows("""
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1
            """).map { try $0.string(0) }
        for t in tables {
            for line in try rows("SELECT t::text FROM \"\(t)\" AS t ORDER BY 1").map({ try $0.string(0) }) {
                for byte in "\(t)|\(line)".utf8 {
                    h ^= UInt64(byte)
                    h = h &* 0x100_0000_01b3
                }
            }
        }
        return String(h, radix: 16)
    }

    // MARK: - Locks

    /// Takes the row lock of order `number` until the transaction ends (`SELECT … FOR UPDATE`):
    /// another server's command on the same order waits here instead of failing at its version
    /// check. No error for an unknown number (the command reports it).
    ///
    /// The lock is queued to go out with the next statement, ahead of it in the same round trip
    /// (``PostgresConnection/enqueue(_:_:)``): whatever runs next runs under the lock, as if
    /// the lock had been a round trip of its own; a deadlock or serialization failure is thrown
    /// by that statement. When the next thing is loading this order (as it is in every
    /// command), the load reads the order and its ledgers in that same round trip.
    ///
    /// The version the lock returns is kept (``TransactionHealth/lockedVersions``) when its
    /// result arrives, whatever statement it went out with: the order's writes in this
    /// transaction are then queued too (``updateOrder(_:expectedVersion:documentChanged:previous:)``).
    package func lockOrder(_ number: Int64) throws {
        let sql = "SELECT version FROM orders WHERE number = $1 FOR UPDATE"
        guard connection.inTransaction else { return try later(sql, [.int(number)]) }
        let health = self.health
        let rollbacks = health.rollbacks
        try connection.enqueue(sql, [.int(number)], verify: { r in
            // A savepoint rolled back since (with the lock in it) gave the lock up again.
            if health.rollbacks == rollbacks { health.lockedVersions[number] = .some(try? r.first?.int(0)) }
            return nil
        })
        health.queuedLock = (number, connection.sendCount)
    }

    /// Queues a statement whose result is not needed to go out with the next one
    /// (``PostgresConnection/enqueue(_:_:)``); runs it at once on a connection whose
    /// transaction was not opened by ``PostgresConnection/transaction(_:_:)`` (a plain `BEGIN`),
    /// which has no queue.
    func later(_ sql: String, _ parameters: [PostgresValue]) throws {
        if connection.inTransaction { try connection.enqueue(sql, parameters) } else { try rows(sql, parameters) }
    }

    /// Runs `body` in a savepoint: undone if it throws, kept if it returns.
    /// A rollback may have released locks and undone version bumps: the versions known from
    /// locks are forgotten then. It also undoes this transaction's configuration-generation
    /// bumps made in the savepoint, so the COMMIT is guarded by the generation the database
    /// holds again (``bumpConfigGeneration()``).
    ///
    /// The error is rethrown as the command would see it at top level: a database refusal that
    /// does not doom the transaction (a lock not granted within `lock_timeout`, a constraint)
    /// becomes the engine's error (``PostgresStore/storeError(_:doing:)``: `conflict` for the lock,
    /// `storage` with the server's reason otherwise), so a hook that catches a failed nested
    /// call sees the code a top-level caller would. A fatal failure (``TransactionHealth/fatal``)
    /// is rethrown as it is; the store acts on it whatever the caller does.
    package func savepoint<T>(_ body: () throws -> T) throws -> T {
        let bumps = health.ownBumps
        do {
            return try connection.savepoint(body)
        } catch {
            health.lockedVersions.removeAll()
            health.queuedLock = nil
            health.rollbacks += 1
            if health.ownBumps != bumps {
                health.ownBumps = bumps
                try armCommitGuard()
            }
            if let e = error as? PostgresError, health.fatal == nil { throw PostgresStore.storeError(e, doing: "write") }
            throw error
        }
    }

    // MARK: - Configuration

    /// The configuration generation (bumped by every settings or status change).
    package func configGeneration() throws -> Int64 {
        try rows(Self.configGenerationQuery).first?.int(0) ?? 0
    }

    /// The statement that reads the configuration generation.
    static let configGenerationQuery = "SELECT value FROM meta WHERE key = 'config_generation'"


    /// The generation, or nil when the caller may use its cache of generation `cached`, with
    /// no round trip of its own. In a read the check is queued with the transaction's next
    /// statement, and a changed generation marks the transaction
    /// (``TransactionHealth/configChanged``), which the store then runs again, reading the
    /// generation at once. In a write nothing is checked here: its COMMIT is guarded
    /// (``guardConfigGeneration(_:)``), which catches a change made before the transaction as
    /// well as one made while it ran, and a write refused by a rule checks the generation after
    /// its rollback (the store's `write`). A stale configuration then costs a re-run; a current
    /// one costs no statement.
    package func configGeneration(expecting cached: Int64) throws -> Int64? {
        guard health.deferConfigCheck, connection.inTransaction else { return try configGeneration() }
        if !isRead { return nil }
        let health = self.health
        try connection.enqueue(Self.configGenerationQuery, [], verify: { r in
            guard (try? r.first?.int(0)) ?? 0 != cached else { return nil }
            return health.configurationChanged("the shop's configuration changed since this server cached it (generation \(cached)); the transaction runs again")
        })
        return nil
    }

    /// In a write: the COMMIT goes out only with a check, in its round trip, that the generation
    /// is still `generation`: under READ COMMITTED another server may change the configuration
    /// while this transaction runs, and nothing may commit on the old one. A changed generation
    /// fails the check (a cast error naming ``PostgresTransaction/configGuardMarker``), which
    /// aborts the transaction; the store runs it again. Nothing to do in a read (its snapshot
    /// holds the generation it started with).
    package func guardConfigGeneration(_ generation: Int64) throws {
        guard !isRead, connection.inTransaction else { return }
        health.startGeneration = generation
        health.ownBumps = 0
        try armCommitGuard()
    }

    /// Guards the COMMIT by ``TransactionHealth/guardedGeneration`` (replacing an earlier guard).
    private func armCommitGuard() throws {
        guard let generation = health.guardedGeneration else { return }
        try connection.guardCommit("""
            SELECT ('\(Self.configGuardMarker) ' || value)::bigint FROM meta
            WHERE key = 'config_generation' AND value <> $1
            """, [.int(generation)])
    }

    /// The text in the error of a failed ``guardConfigGeneration(_:)`` check.
    static let configGuardMarker = "oe_config_generation_changed"

    /// True for the error of a queued order UPDATE whose version check failed (``versionGuardMarker``).
    static func isVersionGuardFailure(_ error: any Error) -> Bool {
        (error as? PostgresError)?.message.contains(versionGuardMarker) == true
    }

    /// True for the error of a failed ``guardConfigGeneration(_:)`` check.
    static func isConfigGuardFailure(_ error: any Error) -> Bool {
        (error as? PostgresError)?.message.contains(configGuardMarker) == true
    }

    /// Bumps the configuration generation, so every server reloads its cached configuration.
    /// In a transaction guarded by ``guardConfigGeneration(_:)`` the guard moves on to the new
    /// generation (and back, should a savepoint with the bump roll back); when the generation
    /// is not the guarded one + 1, another server changed the configuration meanwhile (this
    /// change was made on the old one): the transaction is marked to run again.
    package func bumpConfigGeneration() throws {
        let bumped = try rows("UPDATE meta SET value = value + 1 WHERE key = 'config_generation' RETURNING value").first?.int(0)
        guard let guarded = health.guardedGeneration, let bumped else { return }
        guard bumped == guarded + 1 else {
            throw health.configurationChanged("\(Self.configGuardMarker): the shop's configuration changed while this command changed it; it runs again")
        }
        health.ownBumps += 1
        try armCommitGuard()
    }

    /// Every stored setting by key.
    package func loadSettings() throws -> [String: JSON] {
        var out: [String: JSON] = [:]
        for r in try rows("SELECT key, value FROM settings") {
            out[try r.string(0)] = (try? JSONParser.parse(try r.string(1))) ?? .null
        }
        return out
    }

    /// Stores `value` under `key` (replacing what was there).
    package func saveSetting(_ key: String, _ value: JSON) throws {
        try rows("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 [.text(key), .text(value.compactText)])
    }

    /// The status definitions in the order they were first saved.
    package func loadStatusDefinitions() throws -> [StatusDefinition] {
        try rows("SELECT definition FROM statuses ORDER BY position").compactMap { r in
            StatusDefinition(stored: (try? JSONParser.parse(try r.string(0))) ?? .null)
        }
    }

    /// Saves a status definition: a new key goes last, a known one keeps its place.
    package func saveStatusDefinition(_ d: StatusDefinition) throws {
        try rows("""
            INSERT INTO statuses (key, position, definition)
            VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM statuses), $2)
            ON CONFLICT (key) DO UPDATE SET definition = excluded.definition
            """, [.text(d.key), .text(d.json.compactText)])
    }

    // MARK: - Number series

    /// The next number of `series`, under the series row's lock (``PostgresNumbering``).
    package func drawNumber(_ series: NumberSeries) throws -> Int64 { try PostgresNumbering.draw(series, on: connection) }

    /// The start and next number of `series`.
    package func numberSeriesState(_ series: NumberSeries) throws -> (start: Int64, next: Int64) {
        try PostgresNumbering.state(series, on: connection)
    }

    /// The start and next number of every series, in one round trip.
    package func numberSeriesStates() throws -> [NumberSeries: (start: Int64, next: Int64)] {
        try PostgresNumbering.states(on: connection)
    }

    /// Sets the start of an unused series (`conflict` once a number was issued).
    package func setNumberSeriesStart(_ series: NumberSeries, _ start: Int64) throws {
        try PostgresNumbering.setStart(series, start, on: connection)
    }
}

/// What went wrong in a transaction that no savepoint can undo: a serialization failure or
/// deadlock (the store runs the body again) or a lost connection (the command fails with
/// `storage`). Shared by the copies of one ``PostgresTransaction``.
///
/// It also keeps the versions of the orders this transaction holds the row lock of (read by
/// `lockOrder`, advanced by this transaction's own updates): under the lock no other
/// transaction can change the row, so the version is the row's until the transaction ends or a
/// savepoint rolls back (which forgets them all).
final class TransactionHealth: @unchecked Sendable {
    /// The first such failure, nil while the transaction is sound.
    var fatal: PostgresError?
    /// Whether ``PostgresTransaction/configGeneration(expecting:)`` may queue its check rather
    /// than read at once (not in a transaction run again because the configuration changed).
    var deferConfigCheck = true
    /// Set when a queued check found the configuration generation changed: the store runs the
    /// transaction again (the engine's cached configuration was stale).
    var configChanged = false
    /// The generation a write's COMMIT is guarded by (``PostgresTransaction/guardConfigGeneration(_:)``):
    /// the one it started on plus its own bumps that were not rolled back; nil when unguarded.
    var guardedGeneration: Int64? { startGeneration.map { $0 + ownBumps } }
    /// The generation the write started on, as the engine read or cached it; nil when unguarded.
    /// After a rollback of the whole transaction the database holds it again, so a refusal is
    /// re-checked against it (the store's `write`).
    var startGeneration: Int64?
    /// How many times this transaction bumped the generation, not counting bumps in a
    /// savepoint that rolled back.
    var ownBumps: Int64 = 0

    /// Marks the transaction as run on a stale configuration (to be run again) and returns
    /// the error that says so, also kept as ``fatal`` so that catching it changes nothing.
    func configurationChanged(_ message: String) -> PostgresError {
        let changed = PostgresError(.server, message)
        configChanged = true
        fatal = fatal ?? changed
        return changed
    }
    /// The version of each order locked in this transaction; nil value: no such order.
    var lockedVersions: [Int64: Int64?] = [:]
    /// The order whose lock was queued last, with the connection's ``PostgresConnection/sendCount``
    /// then: while that is unchanged, the lock is still queued and goes out with the next statement.
    var queuedLock: (number: Int64, sends: Int)?
    /// How many savepoints were rolled back in this transaction (each may release locks).
    var rollbacks = 0
}

extension PostgresTransaction: StoreTransaction {}
