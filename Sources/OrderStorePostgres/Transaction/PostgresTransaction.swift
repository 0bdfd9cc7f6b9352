import OrderCore
import OrderStorage
import PostgresClient

/// One transaction of the PostgreSQL store: the operations of the seam's `StoreTransaction`
/// over one connection with an open transaction. So far the order-independent part is here
/// (row lock of an order, savepoints, configuration, number series, outbox, effects); the order, ledger, query and
/// effect operations follow, and then the declared conformance.
public struct PostgresTransaction {
    /// The connection, inside the transaction this value was made for.
    public let connection: PostgresConnection
    /// The gateway effects recorded in this transaction are sent to: its identity, or the
    /// error to refuse them with when no gateway is configured (nil: recorded unnamed).
    package var effectGateway: Result<String, OrderError>?

    /// The operations on `connection`, which must have a transaction open.
    public init(_ connection: PostgresConnection) { self.connection = connection }

    @discardableResult
    func rows(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        try connection.query(sql, parameters)
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
