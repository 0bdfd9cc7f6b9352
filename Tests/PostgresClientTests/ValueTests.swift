import PostgresClient
import Testing

/// Parameters and columns make the round trip through a real server unchanged.
@Suite(.enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct ValueTests {
    @Test func textWithQuotesAndDanishLettersRoundTrips() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE notes (id int8 PRIMARY KEY, body text)")
        let hostile = ["O'Brien \"quoted\" \\ back\\slash", "'; DROP TABLE notes; --", "Søren Ærø, Åbenrå", "🧾 kvittering", "", "$1 $2 ?"]
        for (i, s) in hostile.enumerated() {
            try db.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [.int(Int64(i)), .text(s)])
        }
        let rows = try db.query("SELECT id, body FROM notes ORDER BY id")
        #expect(rows.count == hostile.count)
        #expect(try rows.map { try $0.string(1) } == hostile)
        // The table survived the would-be injection, and an empty string is not NULL.
        #expect(try db.query("SELECT count(*) FROM notes WHERE body = ''")[0].int(0) == 1)
        #expect(try db.query("SELECT $1::text = $2::text", ["Ærø", "Ærø"])[0].bool(0))
    }

    @Test func int8ExtremesRoundTripInBinary() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE n (v int8)")
        let values: [Int64] = [.min, .min + 1, -1, 0, 1, Int64(Int32.max) + 1, .max]
        for v in values { try db.query("INSERT INTO n VALUES ($1)", [.int(v)]) }
        #expect(try db.query("SELECT v FROM n ORDER BY v").map { try $0.int(0) } == values)
        // Arithmetic on the server sees the same numbers, and overflow is refused, not wrapped.
        #expect(try db.query("SELECT $1::int8 - 1", [.int(.min + 1)])[0].int(0) == .min)
        let overflow = #expect(throws: PostgresError.self) { try db.query("SELECT $1::int8 + 1", [.int(.max)]) }
        #expect(overflow?.sqlState == "22003")
        // An int8 parameter into an int4 column is cast; out of range is an error, not a truncation.
        try db.exec("CREATE TABLE small (v int4)")
        try db.query("INSERT INTO small VALUES ($1)", [.int(2_147_483_647)])
        #expect(try db.query("SELECT v FROM small")[0].int(0) == 2_147_483_647)
        #expect(throws: PostgresError.self) { try db.query("INSERT INTO small VALUES ($1)", [.int(2_147_483_648)]) }
    }

    @Test func byteaHoldsEveryByteIncludingNUL() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE blobs (id int8, data bytea)")
        let all = (0...255).map(UInt8.init) + [0, 0, 255]
        try db.query("INSERT INTO blobs VALUES (1, $1), (2, $2)", [.bytes(all), .bytes([])])
        let rows = try db.query("SELECT data, length(data) FROM blobs ORDER BY id")
        #expect(try rows[0].bytes(0) == all)
        #expect(try rows[0].int(1) == Int64(all.count))
        #expect(try rows[1].bytes(0) == [])
    }

    @Test func nullsOfEveryKindAreNull() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE mixed (i int8, s text, b bytea, f bool, d float8)")
        try db.query("INSERT INTO mixed VALUES ($1, $2, $3, $4, $5)", [.null, .null, .null, .null, .null])
        let row = try #require(try db.query("SELECT i, s, b, f, d FROM mixed").first)
        #expect(row.values == [.null, .null, .null, .null, .null])
        #expect((0..<5).allSatisfy { row.isNull($0) })
        #expect(try row.intOrNil(0) == nil)
        #expect(try row.stringOrNil(1) == nil)
        let e = #expect(throws: PostgresError.self) { try row.int(0) }
        #expect(e?.kind == .value)
        #expect(e?.message.contains("column i") == true)
        // The same statement then runs with values (a new parameter-type signature).
        try db.query("INSERT INTO mixed VALUES ($1, $2, $3, $4, $5)", [.int(7), .text("x"), .bytes([1]), .bool(true), .double(0.1)])
        let r = try db.query("SELECT i, s, b, f, d FROM mixed WHERE i IS NOT NULL")[0]
        #expect(r.values == [.int(7), .text("x"), .bytes([1]), .bool(true), .double(0.1)])
    }

    @Test func textWithNULIsRefusedBeforeAnythingIsSent() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE notes (body text)")
        let e = #expect(throws: PostgresError.self) { try db.query("INSERT INTO notes VALUES ($1)", [.text("før\u{0}efter")]) }
        #expect(e?.kind == .value)
        #expect(e?.message.contains("$1") == true)
        #expect(e?.code == .invalid)
        #expect(try db.query("SELECT count(*) FROM notes")[0].int(0) == 0)
    }

    @Test func rowsAffectedAndColumnsByName() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE items (id int8 PRIMARY KEY, name text NOT NULL, qty int4 NOT NULL)")
        let ins = try db.query("INSERT INTO items SELECT g, 'vare ' || g, g FROM generate_series(1, 5) g")
        #expect(ins.rowsAffected == 5)
        #expect(try db.query("UPDATE items SET qty = qty + 1 WHERE id > $1", [3]).rowsAffected == 2)
        let r = try db.query("SELECT id, name, qty, now() AS at, 12.50::numeric AS price FROM items WHERE id = $1", [5])
        #expect(r.columns == ["id", "name", "qty", "at", "price"])
        #expect(r[0]["name"] == .text("vare 5"))
        #expect(r[0]["qty"] == .int(6))
        #expect(r[0]["price"] == .text("12.50"))  // numeric stays exact, as text
        #expect(r[0]["missing"] == .null)
        // The same text prepared once is reused (no error on the second run), and queryOnce works.
        for _ in 0..<3 { _ = try db.query("SELECT count(*) FROM items") }
        #expect(try db.queryOnce("SELECT count(*) FROM items WHERE qty >= $1", [5])[0].int(0) == 2)
    }
}
