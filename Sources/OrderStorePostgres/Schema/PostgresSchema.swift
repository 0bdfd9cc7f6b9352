import OrderCore
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
        // An up-to-date database opens without DDL, so a role with only the rights its
        // commands need (or only SELECT, for reports) can open it: no lock, no CREATE.
        if last == nil, try upToDate(connection) { return [] }
        // Under the lock too: two servers' CREATE TABLE IF NOT EXISTS race in the catalog.
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
            try refuseForeign(connection)
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

    /// True when the current schema has the engine's `schema_migrations` recording exactly
    /// this build's migrations (reads only). A newer database (an unknown migration) or a
    /// missing one is false: the locked path below decides, and refuses or migrates.
    private static func upToDate(_ connection: PostgresConnection) throws -> Bool {
        let exists = try connection.query("""
            SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                           AND table_name = 'schema_migrations' AND column_name = 'name')
            """)
        guard try exists.first?.bool(0) == true else { return false }
        let recorded = Set(try connection.query("SELECT name FROM schema_migrations").map { try $0.string(0) })
        return recorded == Set(migrationNames)
    }

    /// Refuses to migrate into a schema that belongs to another application, as the SQLite
    /// store refuses someone else's file: the engine creates its tables in the connection's
    /// current schema (the first existing one of `search_path`), and would otherwise add them
    /// beside another application's tables (or fail half-way on a table of the same name).
    /// An empty schema becomes a new shop; a schema with the engine's own `schema_migrations`
    /// (a `name` column, and `pg1-base` recorded or nothing else there yet) is the engine's.
    /// Throws `storage` "not an OrderEngine database" naming a table found there, and `misuse`
    /// when `search_path` names no existing schema. Reads only.
    static func refuseForeign(_ connection: PostgresConnection) throws {
        let r = try connection.query("""
            SELECT current_schema(), current_database(),
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
                   (SELECT min(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                       AND c.relname <> 'schema_migrations'),
                   EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                            AND table_name = 'schema_migrations' AND column_name = 'name')
            """)
        guard let row = r.first else { return }
        guard let schema = try row.stringOrNil(0) else {
            throw OrderError(.misuse, "the connection's search_path names no schema that exists, so the engine has nowhere to create its tables; create the schema first (CREATE SCHEMA …) or fix search_path")
        }
        let database = try row.string(1)
        let tables = try row.int(2)
        if tables == 0 { return }
        let other = try row.stringOrNil(3)
        if try row.bool(4) {
            if other == nil { return }  // only our (possibly empty) record table
            let base = try connection.query(
                "SELECT 1 FROM schema_migrations WHERE name = $1", [.text(PostgresMigrations.base.name)])
            if base.count > 0 { return }
        }
        let example = other ?? "schema_migrations"
        throw OrderError(.storage, """
            database "\(database)" is not an OrderEngine database: its schema "\(schema)" holds \(tables) \
            table\(tables == 1 ? "" : "s") of another application, e.g. '\(example)'; it was left unchanged. \
            Give the engine an empty database, or a schema of its own (CREATE SCHEMA shop, then \
            options=-csearch_path%3Dshop in the URL)
            """)
    }
}
