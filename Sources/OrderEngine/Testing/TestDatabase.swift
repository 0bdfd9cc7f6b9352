import Foundation
import OrderCore
import OrderStorePostgres

/// The database a test opens its engine on, chosen by the environment variable
/// `OE_TEST_BACKEND`: `sqlite` (the default) or `postgresql`. Every test fixture that opens an
/// engine or a store asks here, so the whole suite runs on either backend unchanged
/// (`scripts/test` runs it once per backend). `package`-scoped: test support, not engine API.
package enum TestDatabase {
    /// The backends a test run can use.
    package enum Backend: String, Sendable {
        case sqlite, postgresql
    }

    /// The backend of this test run (`OE_TEST_BACKEND`; unknown values fall back to SQLite).
    package static var backend: Backend {
        ProcessInfo.processInfo.environment["OE_TEST_BACKEND"].flatMap(Backend.init(rawValue:)) ?? .sqlite
    }

    /// Whether this run is on SQLite: tests of SQLite itself (files, WAL, foreign files,
    /// several processes on one file) run only then, e.g.
    /// `@Test(.enabled(if: TestDatabase.isSQLite, "SQLite file"))`.
    package static var isSQLite: Bool { backend == .sqlite }

    /// The database argument for `Engine(path:)`: on SQLite, `requested` as given (`:memory:` or
    /// a file path). On PostgreSQL, `:memory:` (or nil) becomes a fresh, empty database, and a
    /// file path becomes the same database every time this process asks for that path (so a
    /// test that reopens its shop finds its orders).
    package static func location(_ requested: String?) throws -> String {
        let requested = requested ?? ":memory:"
        switch backend {
        case .sqlite: return requested
        case .postgresql: return try postgresDatabase(for: requested == ":memory:" ? nil : requested)
        }
    }

    /// The databases handed out by key in this process.
    private static let keyed = Locked<[String: String]>([:])

    /// A fresh, migrated schema of its own on the server in `OE_TEST_PG_URL` when `key` is nil
    /// (``PostgresDatabases/createMigratedSchema(server:name:)``: no database clone, no
    /// checkpoint; about 45 ms), and one schema per `key` (created on its first request in
    /// this process) otherwise. The schemas stay on the throwaway test server.
    private static func postgresDatabase(for key: String?) throws -> String {
        guard let server = ProcessInfo.processInfo.environment["OE_TEST_PG_URL"], !server.isEmpty else {
            throw OrderError(.misuse, "OE_TEST_BACKEND=postgresql needs OE_TEST_PG_URL (run scripts/pg-start and export what it prints)")
        }
        func fresh() throws -> String {
            do { return try PostgresDatabases.createMigratedSchema(server: server, name: PostgresDatabases.uniqueName(prefix: "oe_t_")) } catch {
                throw OrderError(.storage, "cannot create a test database: \(error)")
            }
        }
        guard let key else { return try fresh() }
        return try keyed.withLock { k in
            if let u = k[key] { return u }
            let u = try fresh()
            k[key] = u
            return u
        }
    }
}
