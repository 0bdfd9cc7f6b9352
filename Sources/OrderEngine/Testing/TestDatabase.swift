import Foundation
import OrderCore

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

    // PG-BACKEND: issue 16's PostgreSQL engineer (branch issue-16bn) fills this in: from the
    // server in `OE_TEST_PG_URL` (printed by scripts/pg-start), create and return the URL of
    // a fresh, empty database when `key` is nil, and of one database per `key` (created empty
    // on its first request in this process) otherwise.
    private static func postgresDatabase(for key: String?) throws -> String {
        guard let server = ProcessInfo.processInfo.environment["OE_TEST_PG_URL"], !server.isEmpty else {
            throw OrderError(.misuse, "OE_TEST_BACKEND=postgresql needs OE_TEST_PG_URL (run scripts/pg-start and export what it prints)")
        }
        throw OrderError(.misuse, "OE_TEST_BACKEND=postgresql: the PostgreSQL test databases are not built yet (TestDatabase.postgresDatabase; server \(server))")
    }
}
