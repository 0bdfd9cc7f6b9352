import OrderStorePostgres
import PostgresClient
import Testing

@Suite("PostgreSQL search")
struct SearchTests {
    @Test("the standard folding lower-cases, removes diacritics and splits e-mails into words")
    func standardFolding() {
        #expect(SearchFolding.standard.fold("Jens Holm <Mette@Example.DK>, Åse-Marie Ørsted 4242") == "jens holm mette example dk ase marie ørsted 4242")
    }

    @Test("queries as on SQLite: every word whole, the last from three characters also a prefix")
    func tsqueryText() {
        let f = SearchFolding.standard
        #expect(f.tsquery("Jens hol") == "'jens' & 'hol':*")
        #expect(f.tsquery("mette@exam") == "'mette' & 'exam':*")
        #expect(f.tsquery("jens ho") == "'jens' & 'ho'")
        #expect(f.tsquery(" -- !") == nil)
        #expect(f.tsquery((1...20).map(String.init).joined(separator: " "))?.components(separatedBy: " & ").count == 16)
    }

    @Test("the index finds what FTS5 finds", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason),
          arguments: [
              ("jens hol", [1]), ("Jens", [1, 3]), ("mette@exam", [2]), ("mette@example.dk", [2]),
              ("jens ho", [Int64]()), ("ase", [3]), ("Åse", [3]), ("1002", [2]), ("holm jens", [1]), ("nobody", []),
          ] as [(String, [Int64])])
    func indexSemantics(query: String, expected: [Int64]) throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1 1001 Jens Holm jens@holm.dk Vestergade 1")
        try ShopDatabase.insertOrder(c, number: 2, search: "2 1002 Mette Hansen mette@example.dk")
        try ShopDatabase.insertOrder(c, number: 3, search: "3 1003 Åse Jens Sørensen")
        #expect(try Self.search(c, query, .standard) == expected)
    }

    @Test("a Danish folding plugs in: Søren, Soeren and Soren meet, Aarhus and Århus", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
    func danishFoldingPlugsIn() throws {
        let danish = SearchFolding { text in
            var t = SearchFolding.standard.fold(text.lowercased().replacingOccurrences(of: "ø", with: "o").replacingOccurrences(of: "æ", with: "ae"))
            for (from, to) in [("aa", "a"), ("oe", "o")] { t = t.replacingOccurrences(of: from, with: to) }
            return t
        }
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "Søren Bækgaard, Århus", folding: danish)
        try ShopDatabase.insertOrder(c, number: 2, search: "Soeren Hansen, Aarhus C", folding: danish)
        try ShopDatabase.insertOrder(c, number: 3, search: "Soren Kro, Odense", folding: danish)
        #expect(try Self.search(c, "søren", danish) == [1, 2, 3])
        #expect(try Self.search(c, "aarhus", danish) == [1, 2])
        #expect(try Self.search(c, "baekgard", danish) == [1])
        // Column and query go through one folding: a query folded otherwise finds nothing.
        #expect(try Self.search(c, "søren", .standard) == [])
    }

    static func search(_ c: PostgresConnection, _ text: String, _ f: SearchFolding) throws -> [Int64] {
        guard let q = f.tsquery(text) else { return [] }
        let byJoin = try c.query("WITH \(PostgresSearch.hitsCTE(parameter: 1)) SELECT number FROM search_hits JOIN orders USING (number) ORDER BY number",
                                 [.text(q)]).map { try $0.int(0) }
        let byCondition = try c.query("SELECT number FROM orders WHERE \(PostgresSearch.matches(parameter: 1)) ORDER BY number",
                                      [.text(q)]).map { try $0.int(0) }
        #expect(byJoin == byCondition)
        return byJoin
    }
}
