import PostgresClient

/// Applies the PostgreSQL store's migrations (``PostgresMigrations``) to a database.
///
/// Versioned as on SQLite: the table `schema_migrations` records the name of every applied
/// migration; `migrate` applies the missing ones, in order, each in a transaction of its own
/// together with its record, so a migration is applied wholly or not at all. Several servers
/// opening one database at the same time take turns on a transaction-scoped advisory lock,
/// so each migration runs exactly once.
public enum PostgresSchema {
    /// The advisory-lock key under which migrations run ("OEng" as in the SQLite application id).
    static let migrationLock: Int64 = 0x4F45_6E67

    /// The names of every migration this build knows, in order.
    public static var migrationNames: [String] { PostgresMigrations.all.map(\.name) }

    /// A short, stable fingerprint of every migration's SQL (FNV-1a, hex): two builds with the
    /// same fingerprint create the same schema. Names the migrated template of test databases.
    public static var fingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for m in PostgresMigrations.all {
            for b in (m.name + "\u{1}" + m.sql).utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return String(h, radix: 16)
    }

    /// Applies every migration not yet recorded in `schema_migrations`; returns the names of
    /// those it applied (empty when the database was up to date). Throws the server's error
    /// for a migration that fails (that migration and every later one stay unapplied).
    /// A database recording a migration this build does not know is refused (`misuse`): it
    /// was written by a newer engine.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> [String] {
        try migrate(connection, through: nil)
    }

    /// ``migrate(_:)`` up to and including the migration named `last` (nil: every one), so a
    /// test can build a database as an older engine left it and migrate it on.
    @discardableResult
    package static func migrate(_ connection: PostgresConnection, through last: String?) throws -> [String] {
        // Under the lock too: two servers' CREATE TABLE IF NOT EXISTS race in the catalog.
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
            try connection.exec("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
        }
        let known = Set(migrationNames)
        let recorded = try connection.query("SELECT name FROM schema_migrations").map { try $0.string(0) }
        if let unknown = recorded.first(where: { !known.contains($0) }) {
            throw PostgresError(.misuse, "the database has migration '\(unknown)', which this engine does not know: it was written by a newer engine")
        }
        var applied: [String] = []
        for migration in PostgresMigrations.all {
            let done = try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
                if try connection.query("SELECT 1 FROM schema_migrations WHERE name = $1", [.text(migration.name)]).count > 0 {
                    return false
                }
                try connection.exec(migration.sql)
                try connection.query("INSERT INTO schema_migrations (name) VALUES ($1)", [.text(migration.name)])
                return true
            }
            if done { applied.append(migration.name) }
            if migration.name == last { break }
        }
        return applied
    }

    /// The names recorded in `schema_migrations`, in the order they were applied.
    public static func appliedMigrations(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("SELECT name FROM schema_migrations ORDER BY applied_at, name").map { try $0.string(0) }
    }
}
