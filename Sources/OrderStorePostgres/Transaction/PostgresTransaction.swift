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
        do {
            return try connection.query(sql, parameters)
        } catch let e as PostgresError {
            if e.isRetryable || e.isConnectionLoss { health.fatal = health.fatal ?? e }
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
    package func lockOrder(_ number: Int64) throws {
        try rows("SELECT 1 FROM orders WHERE number = $1 FOR UPDATE", [.int(number)])
    }

    /// Runs `body` in a savepoint: undone if it throws (the error rethrown), kept if it returns.
    package func savepoint<T>(_ body: () throws -> T) throws -> T { try connection.savepoint(body) }

    // MARK: - Configuration

    /// The configuration generation (bumped by every settings or status change).
    package func configGeneration() throws -> Int64 {
        try rows("SELECT value FROM meta WHERE key = 'config_generation'").first?.int(0) ?? 0
    }

    /// Bumps the configuration generation, so every server reloads its cached configuration.
    package func bumpConfigGeneration() throws {
        try rows("UPDATE meta SET value = value + 1 WHERE key = 'config_generation'")
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

    /// Sets the start of an unused series (`conflict` once a number was issued).
    package func setNumberSeriesStart(_ series: NumberSeries, _ start: Int64) throws {
        try PostgresNumbering.setStart(series, start, on: connection)
    }
}

/// What went wrong in a transaction that no savepoint can undo: a serialization failure or
/// deadlock (the store runs the body again) or a lost connection (the command fails with
/// `storage`). Shared by the copies of one ``PostgresTransaction``.
final class TransactionHealth: @unchecked Sendable {
    /// The first such failure, nil while the transaction is sound.
    var fatal: PostgresError?
}

extension PostgresTransaction: StoreTransaction {}
