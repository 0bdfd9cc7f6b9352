import OrderCore
import OrderStorePostgres
import PostgresClient
import Testing

@Suite("PostgreSQL search")
struct SearchTests {
    @Test("the indexed column holds the folded text's words: an e-mail splits, leftover Latin accents go as in FTS5")
    func indexedWords() {
        let search = SearchFolding.fold("Jens Holm <Mette@Example.DK>, Åse-Marie Ørsted 4242, Ștefan Nguyễn, Йосиф")
        #expect(PostgresSearch.indexed(search) == "jens holm mette example dk ase marie orsted 4242 stefan nguyen йосиф")
    }

    @Test("queries as on SQLite: every word whole, the last from three characters also a prefix")
    func tsqueryText() {
        #expect(PostgresSearch.tsquery("Jens hol") == "'jens' & 'hol':*")
        #expect(PostgresSearch.tsquery("mette@exam") == "'mette' & 'exam':*")
        #expect(PostgresSearch.tsquery("jens ho") == "'jens' & 'ho'")
        #expect(PostgresSearch.tsquery("Søren") == "'soren':*")
        #expect(PostgresSearch.tsquery(" -- !") == nil)
        #expect(PostgresSearch.tsquery((1...20).map(String.init).joined(separator: " "))?.components(separatedBy: " & ").count == 16)
    }

    @Test("the index finds what FTS5 finds", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason),
          arguments: [
              ("jens hol", [1]), ("Jens", [1, 3]), ("mette@exam", [2]), ("mette@example.dk", [2]),
              ("jens ho", [Int64]()), ("ase", [3]), ("Åse", [3]), ("1002", [2]), ("holm jens", [1]), ("jen holm", []),
              ("nobody", []),
          ] as [(String, [Int64])])
    func indexSemantics(query: String, expected: [Int64]) throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1 1001 Jens Holm jens@holm.dk Vestergade 1")
        try ShopDatabase.insertOrder(c, number: 2, search: "2 1002 Mette Hansen mette@example.dk")
        try ShopDatabase.insertOrder(c, number: 3, search: "3 1003 Åse Jens Sørensen")
        #expect(try Self.search(c, query) == expected)
    }

    @Test("Danish spellings meet: Søren, Soeren and Soren, Aarhus and Århus", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
    func danishFolding() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "Søren Bækgaard, Århus")
        try ShopDatabase.insertOrder(c, number: 2, search: "Soeren Hansen, Aarhus C")
        try ShopDatabase.insertOrder(c, number: 3, search: "Soren Kro, Odense")
        for q in ["søren", "soeren", "soren", "SØREN"] { #expect(try Self.search(c, q) == [1, 2, 3], "\(q)") }
        #expect(try Self.search(c, "aarhus") == [1, 2])
        #expect(try Self.search(c, "århus") == [1, 2])
        #expect(try Self.search(c, "baekgaard") == [1])
    }

    @Test("order_search follows order_docs in the writing transaction: insert, changed words, unchanged words, rollback, delete",
          .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
    func searchTableInStep() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1 1001 Jens Holm")
        try ShopDatabase.insertOrder(c, number: 2, search: "2 1002 Mette Hansen")
        #expect(try Self.search(c, "jens") == [1])
        try c.query("UPDATE order_docs SET search_folded = $1 WHERE number = 1", [.text(PostgresSearch.indexed(SearchFolding.fold("1 1001 Søren Kro")))])
        #expect(try Self.search(c, "jens") == [])
        #expect(try Self.search(c, "soeren kro") == [1])
        try c.exec("UPDATE order_docs SET doc = '{\"x\": 1}' WHERE number = 2")
        #expect(try Self.search(c, "mette") == [2])
        struct Undo: Error {}
        #expect(throws: Undo.self) {
            try c.transaction {
                try c.query("UPDATE order_docs SET search_folded = 'lars' WHERE number = 2")
                #expect(try Self.search(c, "lars") == [2])
                throw Undo()
            }
        }
        #expect(try Self.search(c, "lars") == [])
        #expect(try Self.search(c, "mette") == [2])
        try c.exec("DELETE FROM order_docs WHERE number = 2")
        #expect(try c.query("SELECT number FROM order_search ORDER BY number").map { try $0.int(0) } == [1])
    }

    static func search(_ c: PostgresConnection, _ text: String) throws -> [Int64] {
        guard let q = PostgresSearch.tsquery(text) else { return [] }
        let byJoin = try c.query("SELECT number FROM \(PostgresSearch.joined) WHERE \(PostgresSearch.condition(parameter: 1)) ORDER BY number",
                                 [.text(q)]).map { try $0.int(0) }
        let byCondition = try c.query("SELECT number FROM orders WHERE \(PostgresSearch.matches(parameter: 1)) ORDER BY number",
                                      [.text(q)]).map { try $0.int(0) }
        #expect(byJoin == byCondition)
        return byJoin
    }
}
