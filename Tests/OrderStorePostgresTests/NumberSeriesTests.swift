import OrderCore
import OrderStorePostgres
import PostgresClient
import Testing

@Suite("PostgreSQL number series", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct NumberSeriesTests {
    @Test("a number is drawn only inside a transaction, and a rollback returns it")
    func rollbackReturnsNumber() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        let e = #expect(throws: OrderError.self) { try PostgresNumbering.draw(.order, on: c) }
        #expect(e?.code == .misuse)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try c.transaction { #expect(try PostgresNumbering.draw(.order, on: c) == 1); throw Abort() }
        }
        #expect(try c.transaction { try PostgresNumbering.draw(.order, on: c) } == 1)
        #expect(try c.transaction { try PostgresNumbering.draw(.order, on: c) } == 2)
        #expect(try c.transaction { try PostgresNumbering.draw(.invoice, on: c) } == 1)
        #expect(try PostgresNumbering.state(.order, on: c).next == 3)
        try c.exec("DELETE FROM number_series WHERE series = 'credit_note'")
        let missing = #expect(throws: OrderError.self) { try c.transaction { try PostgresNumbering.draw(.credit_note, on: c) } }
        #expect(missing?.code == .storage)
    }

    @Test("the start moves only before the first number")
    func setStart() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try c.transaction { try PostgresNumbering.setStart(.invoice, 1000, on: c) }
        #expect(try c.transaction { try PostgresNumbering.draw(.invoice, on: c) } == 1000)
        try c.transaction { try PostgresNumbering.setStart(.invoice, 1000, on: c) }
        let e = #expect(throws: OrderError.self) { try c.transaction { try PostgresNumbering.setStart(.invoice, 5, on: c) } }
        #expect(e?.code == .conflict)
        #expect(try PostgresNumbering.state(.invoice, on: c).start == 1000)
        #expect(try PostgresNumbering.state(.invoice, on: c).next == 1001)
    }

    @Test("eight connections drawing with rollbacks among them get gapless, unique numbers")
    func gaplessUnderContention() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let url = db.url
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1")
        let workers = (0..<8).map { w in
            Worker { () -> [Int64] in
                let c = try PostgresConnection(url: url)
                struct Abort: Error {}
                var kept: [Int64] = []
                for i in 0..<25 {
                    do {
                        let n = try c.retryingTransaction {
                            let n = try PostgresNumbering.draw(.invoice, on: c)
                            try c.query("""
                                INSERT INTO documents (kind, number, reference, order_number, issued_at, total, doc)
                                SELECT 'invoice', $1, 'F' || $1, 1, 0, 100, '{}'
                                """, [.int(n)])
                            if (i + w) % 5 == 0 { throw Abort() }
                            return n
                        }
                        kept.append(n)
                    } catch is Abort {}
                }
                return kept
            }
        }
        let all = try workers.flatMap { try $0.wait() }.sorted()
        #expect(all == Array(1...Int64(all.count)))
        #expect(all.count == 8 * 20)
        #expect(try c.query("SELECT count(*), max(number) FROM documents")[0].values == [.int(160), .int(160)])
    }
}
