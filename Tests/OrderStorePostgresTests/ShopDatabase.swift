import Foundation
import OrderCore
import OrderStorePostgres
import PostgresClient
import Testing

/// A fresh, migrated database of its own for one test (cloned from the template), dropped at
/// the end. The server is `OE_TEST_PG_URL`, else the URL scripts/pg-start wrote to .build/pg/url.
struct ShopDatabase {
    static let server: String? = {
        if let u = ProcessInfo.processInfo.environment["OE_TEST_PG_URL"], !u.isEmpty { return u }
        if let u = try? String(contentsOfFile: ".build/pg/url", encoding: .utf8) {
            let t = u.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { return t }
        }
        return nil
    }()

    static let skipReason: Comment = "no PostgreSQL server: run scripts/pg-start (or set OE_TEST_PG_URL=postgresql://…)"

    let name: String
    let url: String

    init() throws {
        guard let server = ShopDatabase.server else { throw PostgresError(.misuse, "no test server") }
        name = PostgresDatabases.uniqueName(prefix: "oe_test_")
        url = try PostgresDatabases.createMigrated(server: server, name: name)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

    func drop() { if let s = ShopDatabase.server { try? PostgresDatabases.drop(server: s, name: name) } }

    /// Inserts order `number` with its search text (folded as the store folds it, and its
    /// indexed words).
    static func insertOrder(_ c: PostgresConnection, number: Int64, search raw: String) throws {
        let search = SearchFolding.fold(raw)
        try c.query("""
            INSERT INTO orders (number, reference, status, payment_state, fulfilment_state, total, currency, notify,
                                version, created_at, updated_at, customer_name, customer_email, delivery_method, tags)
            VALUES ($1, $2, 'new', 'unpaid', 'unfulfilled', 10000, 'DKK', 1, 1, 0, 0, 'x', 'x@example.dk', 'pickup', '[]')
            """, [.int(number), .text("\(number)")])
        try c.query("INSERT INTO order_docs (number, search, search_folded, doc) VALUES ($1, $2, $3, '{}')",
                    [.int(number), .text(search), .text(PostgresSearch.indexed(search))])
    }
}

/// Runs `body` on its own thread; `wait()` returns its result or rethrows its error.
final class Worker<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            result = Result { try body() }
            done.signal()
        }.start()
    }

    func wait() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
