import OrderCore
import OrderStorePostgres
import PostgresClient
import Testing

@Suite("PostgreSQL schema", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct SchemaTests {
    @Test("a fresh database has every migration and migrating again applies none")
    func migratedOnce() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        #expect(try PostgresSchema.appliedMigrations(c) == PostgresSchema.migrationNames)
        #expect(try PostgresSchema.migrate(c).isEmpty)
        #expect(try c.query("SELECT series, next FROM number_series ORDER BY series").map { try "\($0.string(0))=\($0.int(1))" }
                == ["credit_note=1", "invoice=1", "order=1", "return=1"])
    }

    @Test("servers migrating one empty database at the same time apply each migration once")
    func concurrentMigrations() throws {
        let server = try #require(ShopDatabase.server)
        let name = PostgresDatabases.uniqueName(prefix: "oe_test_")
        let admin = try PostgresConnection(url: server)
        try admin.exec("CREATE DATABASE \(name)")
        defer { try? PostgresDatabases.drop(server: server, name: name) }
        let url = try PostgresDatabases.url(server, database: name)
        let workers = (0..<4).map { _ in Worker { try PostgresSchema.migrate(PostgresConnection(url: url)) } }
        let applied = try workers.flatMap { try $0.wait() }
        #expect(applied.sorted() == PostgresSchema.migrationNames.sorted())
    }

    @Test("a database with a migration this build does not know is refused")
    func newerDatabaseRefused() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try c.exec("INSERT INTO schema_migrations (name) VALUES ('pg99-future')")
        let e = #expect(throws: PostgresError.self) { try PostgresSchema.migrate(c) }
        #expect(e?.kind == .misuse)
        #expect(e?.message.contains("pg99-future") == true)
    }

    /// An empty database of its own on the test server, dropped by the caller.
    private static func emptyDatabase() throws -> (server: String, name: String, url: String) {
        let server = try #require(ShopDatabase.server)
        let name = PostgresDatabases.uniqueName(prefix: "oe_test_")
        try PostgresConnection(url: server).exec("CREATE DATABASE \(name)")
        return (server, name, try PostgresDatabases.url(server, database: name))
    }

    @Test("another application's tables (a blog, a Rails app) are refused and left unchanged")
    func foreignDatabaseRefused() throws {
        for tables in [["CREATE TABLE posts (id bigint PRIMARY KEY, title text)"],
                       ["CREATE TABLE schema_migrations (version text PRIMARY KEY)", "CREATE TABLE users (id bigint)"],
                       ["CREATE TABLE orders (id bigint)"]] {
            let db = try Self.emptyDatabase()
            defer { try? PostgresDatabases.drop(server: db.server, name: db.name) }
            let c = try PostgresConnection(url: db.url)
            for t in tables { try c.exec(t) }
            let before = try c.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1").map { try $0.string(0) }
            let e = #expect(throws: OrderError.self, "\(tables)") { try PostgresStore(url: db.url) }
            #expect(e?.code == .storage)
            #expect(e?.message.contains("is not an OrderEngine database") == true, "\(e?.message ?? "")")
            #expect(e?.message.contains("search_path") == true, "the message says how to give the engine a schema")
            #expect(e?.message.contains(db.url.split(separator: ":")[2].split(separator: "@")[0]) == false, "no password")
            let after = try c.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1").map { try $0.string(0) }
            #expect(after == before, "nothing was created")
        }
    }

    @Test("a schema of its own in a shared database becomes a shop beside the other application's tables")
    func ownSchemaInSharedDatabase() throws {
        let db = try Self.emptyDatabase()
        defer { try? PostgresDatabases.drop(server: db.server, name: db.name) }
        let c = try PostgresConnection(url: db.url)
        try c.exec("CREATE TABLE posts (id bigint PRIMARY KEY); CREATE SCHEMA shop")
        let url = db.url + (db.url.contains("?") ? "&" : "?") + "options=-csearch_path%3Dshop"
        let store = try PostgresStore(url: url)
        _ = store
        #expect(try c.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'shop' AND tablename = 'orders'")[0].int(0) == 1)
        #expect(try c.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0].int(0) == 1, "public keeps only posts")
        _ = try PostgresStore(url: url)  // opened again: it is the engine's own schema
        // A search_path naming no existing schema: a clear misuse, nothing created.
        let missing = db.url + (db.url.contains("?") ? "&" : "?") + "options=-csearch_path%3Dnope"
        let e = #expect(throws: OrderError.self) { try PostgresStore(url: missing) }
        #expect(e?.code == .misuse && e?.message.contains("search_path") == true)
    }

    @Test("payments, documents and timeline refuse UPDATE, DELETE and TRUNCATE", arguments: ["payments", "documents", "timeline"])
    func appendOnly(table: String) throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1")
        switch table {
        case "payments":
            try c.exec("INSERT INTO payments (order_number, kind, amount, method, at) VALUES (1, 'capture', 500, 'card', 0)")
        case "documents":
            try c.exec("INSERT INTO documents (kind, number, reference, order_number, issued_at, total, doc) VALUES ('invoice', 1, 'F1', 1, 0, 500, '{}')")
        default:
            try c.exec("INSERT INTO timeline (order_number, at, actor, command, event) VALUES (1, 0, 'merchant', 'order.create', 'created')")
        }
        for sql in ["UPDATE \(table) SET order_number = order_number", "DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
            let e = #expect(throws: PostgresError.self, "\(sql)") { try c.exec(sql) }
            #expect(e?.sqlState == "23001")
            #expect(e?.code == .conflict)
            #expect(e?.message.contains("\(table) is append-only") == true)
        }
        #expect(try c.query("SELECT count(*) FROM \(table)")[0].int(0) == 1)
    }

    @Test("a pg3 database with orders migrates to pg4-search-index: the narrow search table finds what the old index found")
    func searchIndexMigration() throws {
        let server = try #require(ShopDatabase.server)
        let name = PostgresDatabases.uniqueName(prefix: "oe_test_")
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try admin.exec("CREATE DATABASE \(name)")
        defer { try? PostgresDatabases.drop(server: server, name: name) }
        let c = try PostgresConnection(url: try PostgresDatabases.url(server, database: name))
        defer { c.close() }
        #expect(try PostgresSchema.migrate(c, through: "pg3-parity") == ["pg1-base", "pg2-search", "pg3-parity"])
        let texts = ["1 1001 Jens Holm jens@holm.dk Vestergade 1, 8000 Aarhus C", "2 1002 Mette Hansen mette@example.dk",
                     "3 1003 Åse Jens Sørensen Århus", "4 1004 Soeren Bækgaard SKU-1234", "5 1005 Ștefan Popescu"]
        for (i, t) in texts.enumerated() { try ShopDatabase.insertOrder(c, number: Int64(i + 1), search: t) }
        let queries = ["jens", "jens hol", "aarhus", "søren", "baekgaard", "mette@example.dk", "1002", "stefan", "sku 1234", "nobody"]
        var before: [String: [Int64]] = [:]
        for q in queries {
            before[q] = try c.query("""
                SELECT number FROM order_docs WHERE to_tsvector('simple', search_folded) @@ to_tsquery('simple', $1) ORDER BY number
                """, [.text(PostgresSearch.tsquery(q)!)]).map { try $0.int(0) }
        }
        #expect(before["jens"] == [1, 3] && before["aarhus"] == [1, 3])
        #expect(try PostgresSchema.migrate(c) == ["pg4-search-index"])
        for q in queries { #expect(try SearchTests.search(c, q) == before[q], "\(q)") }
        #expect(try c.query("SELECT count(*) FROM order_search")[0].int(0) == 5)
        #expect(try c.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'order_docs_search'")[0].int(0) == 0)
        // Orders written after the migration are indexed by the trigger.
        try ShopDatabase.insertOrder(c, number: 6, search: "6 1006 Jens Kro")
        #expect(try SearchTests.search(c, "jens") == [1, 3, 6])
    }

    @Test("idempotency keys are unique in payments and effects")
    func idempotencyKeysUnique() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1")
        let pay = "INSERT INTO payments (order_number, kind, amount, method, idempotency_key, at) VALUES (1, 'capture', 500, 'card', 'k1', 0)"
        try c.exec(pay)
        #expect(throws: PostgresError.self) { try c.exec(pay) }
        let eff = "INSERT INTO effects (idempotency_key, kind, order_number, amount, request, state, created_at) VALUES ('e1', 'capture', 1, 500, '{}', 'pending', 0)"
        try c.exec(eff)
        let e = #expect(throws: PostgresError.self) { try c.exec(eff) }
        #expect(e?.isUniqueViolation == true)
        #expect(try c.query("SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM effects)")[0].int(0) == 2)
    }

    @Test("money columns refuse what SQLite refuses: a negative total, a zero payment, an unknown kind")
    func checks() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1")
        for sql in [
            "UPDATE orders SET total = -1 WHERE number = 1",
            "INSERT INTO payments (order_number, kind, amount, method, at) VALUES (1, 'capture', 0, 'card', 0)",
            "INSERT INTO payments (order_number, kind, amount, method, at) VALUES (1, 'gift', 10, 'card', 0)",
            "INSERT INTO payments (order_number, kind, amount, method, at) VALUES (2, 'capture', 10, 'card', 0)",
        ] {
            let e = #expect(throws: PostgresError.self, "\(sql)") { try c.exec(sql) }
            #expect(e?.sqlState?.hasPrefix("23") == true)
        }
    }
}
