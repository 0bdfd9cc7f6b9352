import Foundation
import PostgresClient

/// Creating and dropping whole databases on a PostgreSQL server: one empty, migrated
/// database per shop, quickly.
///
/// ``createMigrated(server:name:)`` clones a template database that holds the migrated
/// schema and nothing else (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`), which costs a
/// few milliseconds instead of running every migration. The template is named after
/// ``PostgresSchema/fingerprint``, so a build with other migrations gets a template of its
/// own, and is created once per server by whichever process needs it first (the others wait
/// on an advisory lock). Used by the tests (one database per test shop) and by
/// `oe store copy`'s target checks.
public enum PostgresDatabases {
    /// The name of the migrated template database of this build's schema.
    public static var templateName: String { "oe_template_" + PostgresSchema.fingerprint }

    /// A database name that is valid and unused in practice: `prefix` and 16 random hex digits.
    public static func uniqueName(prefix: String = "oe_shop_") -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    }

    /// `server` (a `postgresql://` URL) with its database replaced by `database`.
    public static func url(_ server: String, database: String) throws -> String {
        guard var c = URLComponents(string: server), c.scheme == "postgresql" || c.scheme == "postgres" else {
            throw PostgresError(.value, "not a postgresql:// URL")
        }
        c.path = "/" + database
        guard let u = c.string else { throw PostgresError(.value, "cannot build a URL for database \(database)") }
        return u
    }

    /// Creates the empty database `name` with this build's schema, on the server of `server`
    /// (whose role must be allowed to create databases), and returns its URL. The name must
    /// be a plain identifier (lower-case letters, digits, underscores).
    @discardableResult
    public static func createMigrated(server: String, name: String = uniqueName()) throws -> String {
        try checkIdentifier(name)
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try ensureTemplate(admin: admin, server: server)
        try create(name, template: templateName, on: admin)
        return try url(server, database: name)
    }

    /// Creates the schema `name` in the database of `server`, migrates it, and returns a URL
    /// whose connections (also after a reconnect) work in that schema (`search_path`). The
    /// lighter alternative to a database per shop: no clone and no checkpoint, one
    /// connection to the server's database, the migrations run in the schema (measured in
    /// docs/postgresql.md). The name must be a plain identifier.
    @discardableResult
    public static func createMigratedSchema(server: String, name: String = uniqueName()) throws -> String {
        try checkIdentifier(name)
        let sep = server.contains("?") ? "&" : "?"
        let scoped = server + sep + "options=-c%20search_path%3D\(name)"
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try admin.exec("CREATE SCHEMA \(name)")
        let c = try PostgresConnection(url: scoped)
        defer { c.close() }
        try PostgresSchema.migrate(c)
        return scoped
    }

    /// Drops the schema `name` of the database of `server` and everything in it; no error
    /// when it does not exist.
    public static func dropSchema(server: String, name: String) throws {
        try checkIdentifier(name)
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try admin.exec("DROP SCHEMA IF EXISTS \(name) CASCADE")
    }

    /// Drops the database `name` (after ending every connection to it); no error when it
    /// does not exist.
    public static func drop(server: String, name: String) throws {
        try checkIdentifier(name)
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try admin.exec("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// True when the database of `connection` has no rows in any of the store's tables (or no
    /// tables at all). `oe store copy` refuses any other target.
    public static func isEmpty(_ connection: PostgresConnection) throws -> Bool {
        let tables = try connection.query("""
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
            """).map { try $0.string(0) }
        for t in tables where !["meta", "number_series"].contains(t) {
            if try connection.query("SELECT EXISTS (SELECT 1 FROM \"\(t)\")")[0].bool(0) { return false }
        }
        return true
    }

    // MARK: - Internals

    /// How a database is cloned from the template: `FILE_COPY` (copy the files, one
    /// checkpoint) or `WAL_LOG` (write every block to the WAL; PostgreSQL 15's default).
    /// `OE_PG_CLONE_STRATEGY` overrides it (for measuring).
    static let cloneStrategy: String = {
        let v = ProcessInfo.processInfo.environment["OE_PG_CLONE_STRATEGY"]?.uppercased()
        return v == "WAL_LOG" ? "WAL_LOG" : "FILE_COPY"
    }()

    static func checkIdentifier(_ name: String) throws {
        let ok = !name.isEmpty && name.count <= 63 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        } && !("0"..."9").contains(name.unicodeScalars.first!)
        guard ok else { throw PostgresError(.value, "'\(name)' is not a plain database name (a–z, 0–9, _; at most 63)") }
    }

    /// Creates the template database once: built under a temporary name, migrated, marked as
    /// a template, then renamed, so no one ever clones a half-migrated template.
    static func ensureTemplate(admin: PostgresConnection, server: String) throws {
        let name = templateName
        if try exists(name, on: admin) { return }
        // A session lock: CREATE DATABASE cannot run inside a transaction.
        try admin.query("SELECT pg_advisory_lock($1)", [.int(PostgresSchema.migrationLock + 1)])
        defer { _ = try? admin.query("SELECT pg_advisory_unlock($1)", [.int(PostgresSchema.migrationLock + 1)]) }
        if try exists(name, on: admin) { return }
        let building = name + "_building"
        try admin.exec("DROP DATABASE IF EXISTS \(building) WITH (FORCE)")
        try admin.exec("CREATE DATABASE \(building) TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
        do {
            let db = try PostgresConnection(url: try url(server, database: building))
            try PostgresSchema.migrate(db)
            db.close()
        }
        try admin.exec("ALTER DATABASE \(building) RENAME TO \(name)")
        try admin.exec("ALTER DATABASE \(name) WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    }

    static func exists(_ name: String, on admin: PostgresConnection) throws -> Bool {
        try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [.text(name)]).count > 0
    }

    static func create(_ name: String, template: String, on admin: PostgresConnection) throws {
        try admin.exec("CREATE DATABASE \(name) TEMPLATE \(template) STRATEGY \(cloneStrategy)")
    }
}
