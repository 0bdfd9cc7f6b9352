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
    /// before the mark existed, the engine's own migrations. A missing or empty file passes
    /// (it becomes a new shop).
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
        if case .foreign(let detail) = verdict {
            throw OrderError(.storage, "\(path) is not an OrderEngine database (\(detail)); it was left unchanged")
        }
    }

    enum Verdict {
        case ours, foreign(String)

        init(_ db: Database) throws {
            let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if id == Schema.applicationID { self = .ours; return }
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if tables.isEmpty, id == 0 { self = .ours; return }
            if id != 0 {
                self = .foreign("its SQLite application_id is \(id), not OrderEngine's \(Schema.applicationID)")
                return
            }
            // Made before the mark: the engine's first migration and tables are there.
            let hasV1 = tables.contains("grdb_migrations")
                ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1')") ?? false : false
            let migrated = hasV1
            if migrated, tables.contains("orders"), tables.contains("effects") { self = .ours; return }
            self = .foreign("it holds \(tables.count) table\(tables.count == 1 ? "" : "s") of another application, e.g. '\(tables.sorted()[0])'")
        }
    }
}
