import GRDB
import OrderCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses to open someone else's SQLite database: the engine would otherwise add its tables
/// to it (and switch it to WAL). Looks at the file read-only, before anything writes to it.
enum ForeignCheck {
    /// Throws `storage` "not an OrderEngine database" when `path` is a non-empty SQLite
    /// database that carries neither the engine's `application_id` nor, for databases made
    /// before the mark existed, the engine's own migrations; `misuse` when it is the engine's
    /// but records a migration this build does not know (a newer engine wrote it). A missing or
    /// empty file passes (it becomes a new shop).
    static func check(path: String) throws(OrderError) {
        var st = stat()
        guard stat(path, &st) == 0, st.st_size > 0 else { return }
        let verdict: Verdict
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(30)
            let queue = try DatabaseQueue(path: path, configuration: config)
            verdict = try queue.read { db in try Verdict(db) }
            try queue.close()
        } catch {
            throw OrderError(.storage, "cannot open database \(path): \(OrderStore.describe(error))")
        }
        switch verdict {
        case .ours: break
        case .foreign(let detail):
            throw OrderError(.storage, "\(path) is not an OrderEngine database (\(detail)); it was left unchanged")
        case .newer(let migration):
            // As the PostgreSQL store refuses it: this build would misread a newer schema.
            throw OrderError(.misuse, "cannot open database \(path): it has migration '\(migration)', which this engine does not know: it was written by a newer engine; it was left unchanged")
        }
    }

    enum Verdict {
        /// The engine's own database, of this build's schema or an older one.
        case ours
        /// Someone else's database (the detail says why).
        case foreign(String)
        /// The engine's database migrated by a newer build (the first unknown migration).
        case newer(String)

        init(_ db: Database) throws {
            self = try Verdict.owner(db)
            guard case .ours = self, try db.tableExists("grdb_migrations") else { return }
            if let unknown = OrderStore.unknownMigration(in: try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) {
                self = .newer(unknown)
            }
        }

        /// Whose database `db` is, by its mark or, before the mark existed, its tables.
        private static func owner(_ db: Database) throws -> Verdict {
            let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if id == Schema.applicationID { return .ours }
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if tables.isEmpty, id == 0 { return .ours }
            if id != 0 {
                return .foreign("its SQLite application_id is \(id), not OrderEngine's \(Schema.applicationID)")
            }
            // Made before the mark: the engine's first migration and tables are there.
            let hasV1 = tables.contains("grdb_migrations")
                ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1')") ?? false : false
            let migrated = hasV1
            if migrated, tables.contains("orders"), tables.contains("effects") { return .ours }
            return .foreign("it holds \(tables.count) table\(tables.count == 1 ? "" : "s") of another application, e.g. '\(tables.sorted()[0])'")
        }
    }
}
