import OrderStorePostgres
import PostgresClient
import Testing

@Suite("PostgreSQL databases per shop", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct DatabasesTests {
    @Test("each shop gets an empty, migrated database of its own")
    func independentShops() throws {
        let a = try ShopDatabase(), b = try ShopDatabase()
        defer { a.drop(); b.drop() }
        let ca = try a.connect(), cb = try b.connect()
        #expect(try PostgresDatabases.isEmpty(ca))
        try ShopDatabase.insertOrder(ca, number: 1, search: "1")
        #expect(try !PostgresDatabases.isEmpty(ca))
        #expect(try PostgresDatabases.isEmpty(cb))
        #expect(try PostgresSchema.appliedMigrations(cb) == PostgresSchema.migrationNames)
    }

    @Test("a dropped database is gone; dropping it again is no error")
    func drop() throws {
        let server = try #require(ShopDatabase.server)
        let db = try ShopDatabase()
        _ = try db.connect()
        try PostgresDatabases.drop(server: server, name: db.name)
        #expect(throws: PostgresError.self) { try db.connect() }
        try PostgresDatabases.drop(server: server, name: db.name)
    }

    @Test("a name that is not a plain identifier is refused before anything is sent", arguments: ["", "Shop", "a;drop", "1shop", String(repeating: "a", count: 64)])
    func badNames(name: String) throws {
        let server = try #require(ShopDatabase.server)
        let e = #expect(throws: PostgresError.self) { try PostgresDatabases.createMigrated(server: server, name: name) }
        #expect(e?.kind == .value)
    }

    @Test("a URL that is not postgresql:// is refused")
    func badURL() throws {
        #expect(throws: PostgresError.self) { try PostgresDatabases.url("mysql://h/db", database: "x") }
        #expect(try PostgresDatabases.url("postgresql://u:p@h:5/a?sslmode=disable", database: "b") == "postgresql://u:p@h:5/b?sslmode=disable")
    }
}

@Suite("PostgreSQL schemas per shop", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct SchemasTests {
    @Test("a shop in a schema of its own is migrated, empty, and sees no other shop's rows")
    func independentSchemas() throws {
        let server = try #require(ShopDatabase.server)
        let a = PostgresDatabases.uniqueName(prefix: "oe_s_"), b = PostgresDatabases.uniqueName(prefix: "oe_s_")
        defer { try? PostgresDatabases.dropSchema(server: server, name: a); try? PostgresDatabases.dropSchema(server: server, name: b) }
        let ca = try PostgresConnection(url: PostgresDatabases.createMigratedSchema(server: server, name: a))
        let cb = try PostgresConnection(url: PostgresDatabases.createMigratedSchema(server: server, name: b))
        #expect(try PostgresSchema.appliedMigrations(ca) == PostgresSchema.migrationNames)
        try ShopDatabase.insertOrder(ca, number: 1, search: "1")
        #expect(try !PostgresDatabases.isEmpty(ca))
        #expect(try PostgresDatabases.isEmpty(cb))
        try cb.exec("INSERT INTO timeline (order_number, at, actor, command, event) VALUES (1, 0, 'm', 'c', 'e')")
        #expect(throws: PostgresError.self) { try cb.exec("DELETE FROM timeline") }
        try PostgresDatabases.dropSchema(server: server, name: a)
        #expect(throws: PostgresError.self) { try ca.query("SELECT count(*) FROM orders") }
    }
}
