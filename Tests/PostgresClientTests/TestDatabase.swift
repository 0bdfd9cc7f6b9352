import Foundation
import PostgresClient
import Testing

/// The PostgreSQL server the tests run against: `OE_TEST_PG_URL`, else the URL that
/// scripts/pg-start wrote to .build/pg/url. Each test works in a schema of its own, dropped
/// at the end, so tests run in parallel without seeing each other's tables.
struct TestDatabase {
    /// The server's URL, nil when none is configured (the suites are then skipped).
    static let url: String? = {
        if let u = ProcessInfo.processInfo.environment["OE_TEST_PG_URL"], !u.isEmpty { return u }
        if let u = try? String(contentsOfFile: ".build/pg/url", encoding: .utf8) {
            let t = u.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { return t }
        }
        return nil
    }()

    static let skipReason: Comment = "no PostgreSQL server: run scripts/pg-start (or set OE_TEST_PG_URL=postgresql://…)"

    let schema: String
    /// The URL with the schema as the search path of every connection (also after a reconnect).
    let url: String

    init() throws {
        guard let base = TestDatabase.url else { throw PostgresError(.misuse, "no test database") }
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let sep = base.contains("?") ? "&" : "?"
        url = base + sep + "options=-c%20search_path%3D\(schema)"
        let admin = try PostgresConnection(url: base)
        try admin.exec("CREATE SCHEMA \(schema)")
    }

    /// A new connection whose search path is this test's schema.
    func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

    /// Drops the schema and everything in it.
    func drop() {
        if let base = TestDatabase.url, let admin = try? PostgresConnection(url: base) {
            try? admin.exec("DROP SCHEMA \(schema) CASCADE")
        }
    }

    /// Terminates the backend of `victim` from `killer` and waits (up to 10 s) until it is gone,
    /// so that the victim's next statement meets a closed connection, not a dying one.
    func terminate(_ victim: PostgresConnection, from killer: PostgresConnection) throws {
        let pid = PostgresValue.int(Int64(victim.backendPID))
        guard try killer.query("SELECT pg_terminate_backend($1::int4)", [pid])[0].bool(0) else {
            throw PostgresError(.misuse, "backend \(pid) was not terminated")
        }
        for _ in 0..<1000 {
            if try killer.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid])[0].int(0) == 0 { return }
            usleep(10_000)
        }
        throw PostgresError(.misuse, "backend \(pid) still runs 10 s after pg_terminate_backend")
    }

    /// Waits (up to 10 s) until the backend `pid` waits for a lock; false when it never does.
    func waitUntilBlocked(_ pid: Int32, by observer: PostgresConnection) throws -> Bool {
        for _ in 0..<1000 {
            let r = try observer.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [.int(Int64(pid))])
            if r.first.map({ (try? $0.stringOrNil(0)) == "Lock" }) == true { return true }
            usleep(10_000)
        }
        return false
    }
}
