import Foundation
import GRDB
import OrderStore
import OrderStorePostgres
import PostgresClient
import Testing

/// The PostgreSQL server of the copy tests: `OE_TEST_PG_URL`, else scripts/pg-start's .build/pg/url.
private let pgServer: String? = {
    if let u = ProcessInfo.processInfo.environment["OE_TEST_PG_URL"], !u.isEmpty { return u }
    let t = (try? String(contentsOfFile: ".build/pg/url", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    return t?.isEmpty == false ? t : nil
}()

/// `oe store copy`: a demo shop moved from SQLite to PostgreSQL, verified table by table.
@Suite("oe store copy", .enabled(if: pgServer != nil, "no PostgreSQL server: run scripts/pg-start"))
struct StoreCopyTests {
    @Test("a demo shop copies with equal checksums, and a second copy into the same database is refused")
    func copiesADemoShop() throws {
        let server = try #require(pgServer)
        let file = try OE.tempDatabase()
        #expect(try OE.run(["demo", "--db", file]).status == 0)
        let name = PostgresDatabases.uniqueName(prefix: "oe_copy_")
        let url = try PostgresDatabases.createMigrated(server: server, name: name)
        defer { try? PostgresDatabases.drop(server: server, name: name) }

        let r = try OE.run(["store", "copy", "--from", file, "--to", url])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("copied 13 tables"))
        #expect(r.stdout.contains("orders         53 rows"))
        #expect(!r.stdout.contains(url), "the password must not be printed")

        // What the engine reads there: the same numbers, payments and series positions.
        let pg = try PostgresConnection(url: url)
        #expect(try pg.query("SELECT min(number), max(number), count(*) FROM orders")[0].int(2) == 53)
        let captured = try pg.query("SELECT sum(amount)::bigint FROM payments WHERE kind = 'capture'")[0].int(0)
        #expect(captured > 0)
        #expect(try pg.query("SELECT next FROM number_series WHERE series = 'order'")[0].int(0) > 51)
        // Identity columns continue after the copied ids; the ledgers stay append-only.
        try pg.exec("INSERT INTO timeline (order_number, at, actor, command, event) VALUES (1, 0, 'm', 'c', 'e')")
        #expect(try pg.query("SELECT max(id) = (SELECT count(*) FROM timeline) FROM timeline")[0].bool(0))
        #expect(throws: PostgresError.self) { try pg.exec("DELETE FROM payments") }
        // Search finds a copied customer through the folded column.
        let q = try #require(PostgresSearch.tsquery("mette"))
        #expect(try pg.query("SELECT count(*) FROM orders WHERE \(PostgresSearch.matches(parameter: 1))", [.text(q)])[0].int(0) >= 1)

        let again = try OE.run(["store", "copy", "--from", file, "--to", url])
        #expect(again.status == 3, "\(again.stdout)")
        #expect(again.stderr.contains("already holds a shop"))
        #expect(again.stderr.hasPrefix("error[conflict]: "), "every oe error starts with its code: \(again.stderr)")
    }

    @Test("a database a newer engine migrated is refused by oe and by oe store copy, and nothing is written")
    func newerDatabaseIsRefused() throws {
        let server = try #require(pgServer)
        let file = try OE.tempDatabase()
        #expect(try OE.run(["call", "order.create", OE.orderParams, "--db", file]).status == 0)
        // What a later version would leave behind: a migration this build does not know.
        let q = try DatabaseQueue(path: file)
        try q.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }  // all of it in the main file
        try q.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: file))

        let open = try OE.run(["call", "order.count", "--db", file])
        #expect(open.status == 8, "misuse: \(open.stderr)")
        #expect(open.stderr.contains("v99-from-the-future") && open.stderr.contains("newer engine"))
        // Every subcommand reports a failed open as error[<code>] with the code's exit status.
        for args in [["repl", "--db", file], ["bench", "find", "--db", file]] {
            let r = try OE.run(args, stdin: "")
            #expect(r.status == 8 && r.stderr.hasPrefix("error[misuse]: "), "\(args): \(r.status) \(r.stderr)")
        }

        let name = PostgresDatabases.uniqueName(prefix: "oe_copy_")
        let url = try PostgresDatabases.createMigrated(server: server, name: name)
        defer { try? PostgresDatabases.drop(server: server, name: name) }
        let copy = try OE.run(["store", "copy", "--from", file, "--to", url])
        #expect(copy.status == 8, "\(copy.stderr)")
        #expect(copy.stderr.hasPrefix("error[misuse]: from: ") && copy.stderr.contains("newer engine"))
        let pg = try PostgresConnection(url: url)
        #expect(try pg.query("SELECT count(*) FROM orders")[0].int(0) == 0)
        pg.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "the refused file is left as it was")
    }

    @Test("a source that is not an OrderEngine database, or a target that is not PostgreSQL, is refused")
    func refusesBadEnds() throws {
        let server = try #require(pgServer)
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("oe-junk-\(UUID().uuidString).sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        let r = try OE.run(["store", "copy", "--from", junk, "--to", server])
        #expect(r.status != 0)
        #expect(r.stderr.contains("from"))
        let file = try OE.tempDatabase()
        #expect(try OE.run(["call", "order.create", OE.orderParams, "--db", file]).status == 0)
        let s = try OE.run(["store", "copy", "--from", file, "--to", "mysql://x:Sec1@y/z"])
        #expect(s.status == 2)
        #expect(s.stderr.contains("postgresql://") && !s.stderr.contains("Sec1"))
        // A PostgreSQL URL as the source: refused, and its password not printed.
        let u = try OE.run(["store", "copy", "--from", "postgresql://oe:Sec1@127.0.0.1:1/a", "--to", server])
        #expect(u.status == 2 && u.stderr.hasPrefix("error[invalid]: from: ") && !u.stderr.contains("Sec1"), "\(u.stderr)")
    }

    @Test("the PostgreSQL schema is the SQLite schema column for column: names, types, NOT NULL")
    func schemasAgree() throws {
        let server = try #require(pgServer)
        let file = try OE.tempDatabase()
        _ = try OrderStore(path: file)
        let sqlite = try DatabaseQueue(path: file)
        let name = PostgresDatabases.uniqueName(prefix: "oe_cols_")
        let url = try PostgresDatabases.createMigrated(server: server, name: name)
        defer { try? PostgresDatabases.drop(server: server, name: name) }
        let pg = try PostgresConnection(url: url)
        defer { pg.close() }
        for (table, _) in StoreCopy.tables {
            let lite = try sqlite.read { db in
                try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\" OR pk FROM pragma_table_info(?) ORDER BY name", arguments: [table])
                    .map { r -> String in
                        let type: String = r[1]
                        let notNull: Bool = r[2]
                        return "\(r[0] as String) \(type == "INTEGER" ? "bigint" : type.lowercased())\(notNull ? " not null" : "")"
                    }
            }
            let post = try pg.query("""
                SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = $1 AND NOT (table_name = 'order_docs' AND column_name = 'search_folded')
                ORDER BY column_name
                """, [.text(table)]).map { r in "\(try r.string(0)) \(try r.string(1))\(try r.bool(2) ? " not null" : "")" }
            #expect(post == lite, "\(table)")
        }
        let tables = try sqlite.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                AND name NOT LIKE 'orders_fts%' ORDER BY name
                """)
        }
        #expect(tables == StoreCopy.tables.map(\.name).sorted())
        // PostgreSQL's own tables, never copied: the applied migrations and the search index's
        // table, which a trigger fills from order_docs.
        let own = try pg.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
            ORDER BY table_name
            """).map { try $0.string(0) }.filter { !tables.contains($0) }
        #expect(own == ["order_search", "schema_migrations"])
    }
}
