import Testing
@testable import OrderCore

@Suite("ParamReader")
struct ParamReaderTests {
    private func reader(_ text: String) throws -> ParamReader { try ParamReader(try JSONParser.parse(text)) }

    // MARK: - Paths

    @Test("errors in array elements name the element path, e.g. lines[1].qty")
    func arrayElementPath() throws {
        let p = try reader(#"{"lines":[{"qty":1},{"qty":"2"}]}"#)
        let lines = try #require(try p.objects("lines"))
        #expect(lines.map(\.path) == ["lines[0]", "lines[1]"])
        #expect(try lines[0].requiredInt("qty") == 1)
        expectOrderError(.invalid, "lines[1].qty: expected an integer, got string", field: "lines[1].qty") {
            _ = try lines[1].requiredInt("qty")
        }
    }

    @Test("nested objects continue the path")
    func nestedPath() throws {
        let p = try reader(#"{"customer":{"billing_address":{"zip":1}}}"#)
        let c = try #require(try p.object("customer"))
        let a = try #require(try c.object("billing_address"))
        #expect(c.path == "customer")
        #expect(a.path == "customer.billing_address")
        #expect(a.fieldPath("city") == "customer.billing_address.city")
        expectOrderError(.invalid, "customer.billing_address.city: is required", field: "customer.billing_address.city") {
            _ = try a.requiredString("city")
        }
        expectOrderError(.invalid, "unknown field", field: "customer.billing_address.zip") { try a.finish() }
    }

    @Test("required fields that are missing or null are reported as required")
    func required() throws {
        let p = try reader(#"{"a":null}"#)
        expectOrderError(.invalid, "a: is required", field: "a") { _ = try p.requiredInt("a") }
        expectOrderError(.invalid, "b: is required", field: "b") { _ = try p.requiredAmount("b") }
        expectOrderError(.invalid, "c: is required", field: "c") { _ = try p.requiredString("c") }
        #expect(try p.int("a") == nil)
        #expect(try p.string("zz") == nil)
    }

    // MARK: - finish()

    @Test("finish() refuses an unread field, naming it and the accepted ones")
    func finishUnknown() throws {
        let p = try reader(#"{"order":7,"amount":100,"colour":"red"}"#)
        _ = try p.requiredInt("order")
        _ = try p.amount("amount")
        _ = try p.string("reference")  // read but absent: still accepted
        let e = expectOrderError(.invalid, "colour: unknown field", field: "colour") { try p.finish() }
        #expect(e?.message == "colour: unknown field (accepted: amount, order, reference)")
    }

    @Test("finish() without any accepted field says just 'unknown field'")
    func finishNothingRead() throws {
        let p = try reader(#"{"x":1}"#)
        let e = expectOrderError(.invalid, field: "x") { try p.finish() }
        #expect(e?.message == "x: unknown field")
    }

    @Test("finish() refuses an unread field even when it is null")
    func finishNull() throws {
        let p = try reader(#"{"x":null}"#)
        expectOrderError(.invalid, "unknown field", field: "x") { try p.finish() }
    }

    @Test("finish() passes when every field was read, and on an empty or null object")
    func finishPasses() throws {
        let p = try reader(#"{"a":1,"b":null,"c":"x"}"#)
        _ = try p.int("a")
        _ = try p.int("b")
        _ = try p.string("c")
        try p.finish()
        try ParamReader(.null).finish()
        try reader("{}").finish()
    }

    @Test("finish() in a nested reader names the nested path")
    func finishNested() throws {
        let p = try reader(#"{"lines":[{"sku":"A","qty":1,"colour":"red"}]}"#)
        let l = try #require(try p.objects("lines"))[0]
        _ = try l.requiredString("sku")
        _ = try l.requiredInt("qty")
        expectOrderError(.invalid, "lines[0].colour: unknown field (accepted: qty, sku)", field: "lines[0].colour") { try l.finish() }
        try p.finish()  // the root read everything it has
    }

    // MARK: - Amounts

    @Test("amounts: negative, zero when positive, overflowing and non-integer values are refused", arguments: [
        (#"{"amount":-1}"#, "amount must not be negative, got -1"),
        (#"{"amount":-9223372036854775808}"#, "must not be negative"),
        (#"{"amount":100000000000001}"#, "amount 100000000000001 exceeds the maximum of 100000000000000"),
        (#"{"amount":9223372036854775807}"#, "exceeds the maximum"),
        (#"{"amount":9223372036854775808}"#, "amount must be an integer number of minor units"),
        (#"{"amount":1e30}"#, "amount must be an integer number of minor units"),
        (#"{"amount":12.5}"#, "must be an integer number of minor units"),
        (#"{"amount":100.0}"#, "must be an integer number of minor units"),
        (#"{"amount":"100"}"#, "expected an integer amount in minor units, got string"),
        (#"{"amount":true}"#, "got boolean"),
        (#"{"amount":[1]}"#, "got array"),
        (#"{"amount":{}}"#, "got object"),
    ])
    func badAmounts(text: String, fragment: String) throws {
        let p = try reader(text)
        expectOrderError(.invalid, "amount: ", fragment, field: "amount") { _ = try p.amount("amount") }
    }

    @Test("zero is refused only for positive amounts")
    func zeroAmount() throws {
        #expect(try reader(#"{"amount":0}"#).amount("amount") == 0)
        expectOrderError(.invalid, "amount: amount must be greater than zero", field: "amount") {
            _ = try reader(#"{"amount":0}"#).amount("amount", positive: true)
        }
        expectOrderError(.invalid, "must be greater than zero", field: "amount") {
            _ = try reader(#"{"amount":0}"#).requiredAmount("amount", positive: true)
        }
    }

    @Test("amounts within range are returned exactly")
    func goodAmounts() throws {
        #expect(try reader(#"{"a":1}"#).requiredAmount("a", positive: true) == 1)
        #expect(try reader(#"{"a":100000000000000}"#).requiredAmount("a") == Amounts.max)
        #expect(try reader(#"{"a":25990}"#).amount("a") == 25_990)
        #expect(try reader(#"{"a":null}"#).amount("a") == nil)
    }

    // MARK: - Integers

    @Test("integers: range, wrong types and doubles")
    func integers() throws {
        let p = try reader(#"{"qty":0,"big":1000001,"f":1.5,"huge":99999999999999999999,"s":"3","n":-5,"ok":7}"#)
        expectOrderError(.invalid, "qty: 0 is out of range 1...1000000", field: "qty") { _ = try p.int("qty", in: 1...Amounts.maxQuantity) }
        expectOrderError(.invalid, "big: 1000001 is out of range 1...1000000") { _ = try p.int("big", in: 1...Amounts.maxQuantity) }
        expectOrderError(.invalid, "f: expected an integer within ±9223372036854775807, got 1.5", field: "f") { _ = try p.int("f") }
        expectOrderError(.invalid, "huge: expected an integer within", field: "huge") { _ = try p.int("huge") }
        expectOrderError(.invalid, "s: expected an integer, got string", field: "s") { _ = try p.int("s") }
        expectOrderError(.invalid, "n: -5 is out of range 0...10000") { _ = try p.int("n", in: 0...VAT.maxRate) }
        #expect(try p.int("n") == -5)
        #expect(try p.requiredInt("ok", in: 7...7) == 7)
    }

    // MARK: - Strings, choices, booleans, timestamps

    @Test("strings: empty, blank, too long, NUL and wrong type are refused")
    func strings() throws {
        let p = try reader(#"{"e":"","b":"  \t\n","l":"æøåæ","n":"a\u0000b","i":5,"ok":" x ","nul":null}"#)
        expectOrderError(.invalid, "e: must not be empty", field: "e") { _ = try p.string("e") }
        expectOrderError(.invalid, "b: must not be empty", field: "b") { _ = try p.string("b") }
        #expect(try p.string("e", allowEmpty: true) == "")
        #expect(try p.string("l", maxLength: 4) == "æøåæ")  // counts characters, not bytes
        expectOrderError(.invalid, "l: longer than 3 characters", field: "l") { _ = try p.string("l", maxLength: 3) }
        expectOrderError(.invalid, "n: contains a NUL character", field: "n") { _ = try p.string("n") }
        expectOrderError(.invalid, "i: expected a string, got integer", field: "i") { _ = try p.string("i") }
        #expect(try p.string("ok") == " x ")  // not trimmed
        #expect(try p.string("nul") == nil)
    }

    @Test("choice refuses values outside the list, listing the choices")
    func choice() throws {
        let p = try reader(#"{"m":"drone","ok":"pickup"}"#)
        expectOrderError(.invalid, "m: 'drone' is not one of shipping, pickup", field: "m") { _ = try p.choice("m", ["shipping", "pickup"]) }
        #expect(try p.choice("ok", ["shipping", "pickup"]) == "pickup")
        #expect(try p.choice("absent", ["a"]) == nil)
    }

    @Test("booleans must be true or false")
    func booleans() throws {
        let p = try reader(#"{"t":true,"f":false,"s":"true","i":1}"#)
        #expect(try p.bool("t") == true)
        #expect(try p.bool("f") == false)
        expectOrderError(.invalid, "s: expected true or false, got string", field: "s") { _ = try p.bool("s") }
        expectOrderError(.invalid, "i: expected true or false, got integer", field: "i") { _ = try p.bool("i") }
    }

    @Test("timestamps are ISO 8601 strings")
    func timestamps() throws {
        let p = try reader(#"{"d":"2026-11-28","t":"2026-11-28T10:00:00Z","bad":"2026-02-30","n":5}"#)
        #expect(try p.timestamp("d") == Timestamp(year: 2026, month: 11, day: 28))
        #expect(try p.timestamp("t") == Fixture.t0)
        expectOrderError(.invalid, "bad: '2026-02-30' is not an ISO 8601 date", field: "bad") { _ = try p.timestamp("bad") }
        expectOrderError(.invalid, "n: expected a string, got integer") { _ = try p.timestamp("n") }
    }

    // MARK: - Arrays and objects

    @Test("arrays and objects: wrong types and element limits")
    func structures() throws {
        let p = try reader(#"{"a":{"x":1},"o":[1],"lines":[{"sku":"A"},7],"many":[1,2,3],"tags":["a",5],"blank":["a"," "],"long":["abcdef"]}"#)
        expectOrderError(.invalid, "a: expected an array, got object", field: "a") { _ = try p.array("a") }
        expectOrderError(.invalid, "o: expected an object, got array", field: "o") { _ = try p.object("o") }
        expectOrderError(.invalid, "lines[1]: expected an object, got integer", field: "lines[1]") { _ = try p.objects("lines") }
        expectOrderError(.invalid, "many: more than 2 elements", field: "many") { _ = try p.array("many", maxCount: 2) }
        #expect(try p.array("many", maxCount: 3)?.count == 3)
        expectOrderError(.invalid, "tags[1]: expected a non-empty string", field: "tags[1]") { _ = try p.strings("tags") }
        expectOrderError(.invalid, field: "blank[1]") { _ = try p.strings("blank") }
        expectOrderError(.invalid, "at most 5 characters", field: "long[0]") { _ = try p.strings("long", maxLength: 5) }
    }

    @Test("an empty object reads as an empty array (Lua cannot tell {} from [])")
    func emptyObjectAsArray() throws {
        let p = try reader(#"{"a":{},"o":{},"s":{},"full":{"k":1}}"#)
        #expect(try p.array("a") == [])
        #expect(try p.objects("o")?.isEmpty == true)
        #expect(try p.strings("s") == [])
        expectOrderError(.invalid, "full: expected an array, got object", field: "full") { _ = try p.array("full") }
    }

    @Test("stringOrStrings takes one string or an array of strings and marks the field read")
    func stringOrStrings() throws {
        let p = try reader(#"{"one":"received","many":["received","processing"],"bad":5,"badel":["a",1]}"#)
        #expect(try p.stringOrStrings("one") == ["received"])
        #expect(try p.stringOrStrings("many") == ["received", "processing"])
        expectOrderError(.invalid, "bad: expected an array, got integer", field: "bad") { _ = try p.stringOrStrings("bad") }
        expectOrderError(.invalid, field: "badel[1]") { _ = try p.stringOrStrings("badel") }
        try p.finish()
    }

    @Test("the root must be an object; null reads as empty")
    func root() throws {
        let e = expectOrderError(.invalid) { _ = try ParamReader(.array([])) }
        #expect(e?.message == "expected an object, got array")
        #expect(e?.field == nil)
        expectOrderError(.invalid, "expected an object, got string") { _ = try ParamReader(.string("x")) }
        let p = try ParamReader(.null)
        #expect(p.keys.isEmpty)
        #expect(p.path == "")
    }

    @Test("has, isNull, keys and raw")
    func inspection() throws {
        let p = try reader(#"{"b":1,"a":null}"#)
        #expect(p.keys == ["b", "a"])
        #expect(p.has("b"))
        #expect(!p.has("a"))
        #expect(!p.has("c"))
        #expect(p.isNull("a"))
        #expect(!p.isNull("b"))
        #expect(!p.isNull("c"))
        #expect(p.raw("b") == .int(1))
        #expect(p.raw("a") == nil)
        try p.finish()  // raw marks fields read
    }

    @Test("trimmingSpaces trims spaces, tabs and newlines at both ends only")
    func trimming() {
        #expect(" \t a b \n".trimmingSpaces == "a b")
        #expect("".trimmingSpaces == "")
        #expect("   ".trimmingSpaces == "")
        #expect("x".trimmingSpaces == "x")
    }
}
