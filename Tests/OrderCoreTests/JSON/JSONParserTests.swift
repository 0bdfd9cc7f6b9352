import Testing
@testable import OrderCore

@Suite("JSON parser")
struct JSONParserTests {
    // MARK: - Accepted documents

    @Test("a command document round-trips through compactText unchanged")
    func roundTripCompact() throws {
        let text = #"{"order":1001,"name":"Æbleø \"q\" \\ /","lines":[{"sku":"A-1","qty":2,"unit_price":12990,"vat_rate":2500}],"notify":true,"note":null,"ratio":0.25,"tags":[],"meta":{}}"#
        let v = try JSONParser.parse(text)
        #expect(v.compactText == text)
        #expect(try JSONParser.parse(v.compactText) == v)
        #expect(try JSONParser.parse(v.prettyText) == v)
        #expect(v["order"] == .int(1001))
        #expect(v["lines"]?.arrayValue?.first?["unit_price"]?.intValue == 12990)
        #expect(v["note"]?.isNull == true)
        #expect(v["notify"]?.boolValue == true)
    }

    @Test("whitespace around and inside values is allowed")
    func whitespace() throws {
        let v = try JSONParser.parse(" \t\r\n{ \"a\" :\n[ 1 , 2 ]\t} \n")
        #expect(v == ["a": [1, 2]])
    }

    @Test("scalars parse to the matching case")
    func scalars() throws {
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("\"\"") == .string(""))
        // Booleans are never numbers.
        #expect(try JSONParser.parse("true").intValue == nil)
        #expect(try JSONParser.parse("1").boolValue == nil)
    }

    @Test("integers stay Int64 exactly, at both ends of the range")
    func int64Exact() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("9007199254740993") == .int(9_007_199_254_740_993))  // not representable as Double
        #expect(try JSONParser.parse("[100000000000000]") == [.int(Amounts.max)])
        #expect(try JSONParser.parse("9223372036854775807").compactText == "9223372036854775807")
    }

    @Test("integers outside Int64 become .double")
    func integerOverflow() throws {
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9_223_372_036_854_775_809.0))
        #expect(try JSONParser.parse("123456789012345678901234567890").typeName == "number")
    }

    @Test("fractions and exponents are .double", arguments: [
        ("1.5", 1.5), ("-2.25", -2.25), ("1e3", 1000.0), ("1E+2", 100.0), ("-2.5e-3", -0.0025), ("0.0", 0.0), ("10e0", 10.0),
    ])
    func doubles(text: String, value: Double) throws {
        #expect(try JSONParser.parse(text) == .double(value))
    }

    @Test("string escapes are decoded, including surrogate pairs and \\u0000")
    func escapes() throws {
        let v = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e6\u00C6\ud83d\ude00\u0000x""#)
        #expect(v == .string("\"\\/\u{8}\u{C}\n\r\t\u{E6}\u{C6}😀\u{0}x"))
    }

    @Test("raw multi-byte UTF-8 in strings is kept")
    func rawUTF8() throws {
        #expect(try JSONParser.parse("\"Søren Ærø 😀 €\"") == .string("Søren Ærø 😀 €"))
        #expect(try JSONParser.parse(bytes: [0x22, 0xC3, 0xA6, 0x22]) == .string("æ"))
    }

    @Test("object keys keep their order")
    func keyOrder() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":2,"m":{"y":true,"b":false},"order":3}"#)
        let o = try #require(v.objectValue)
        #expect(o.keys == ["z", "a", "m", "order"])
        #expect(v["m"]?.objectValue?.keys == ["y", "b"])
        #expect(v.compactText == #"{"z":1,"a":2,"m":{"y":true,"b":false},"order":3}"#)
    }

    @Test("nesting up to maxDepth is accepted")
    func nestingAtLimit() throws {
        let n = JSONParser.maxDepth
        let arrays = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        _ = try JSONParser.parse(arrays)
        let objects = String(repeating: #"{"a":"#, count: n - 1) + "{}" + String(repeating: "}", count: n - 1)
        _ = try JSONParser.parse(objects)
    }

    // MARK: - Refused documents

    @Test("nesting deeper than maxDepth is refused as invalid")
    func nestingTooDeep() {
        let n = JSONParser.maxDepth + 1
        expectOrderError(.invalid, "nesting deeper than \(JSONParser.maxDepth)") {
            _ = try JSONParser.parse(String(repeating: "[", count: n) + String(repeating: "]", count: n))
        }
        expectOrderError(.invalid, "nesting deeper") {
            _ = try JSONParser.parse(String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n))
        }
        // Far deeper input is refused rather than overflowing the stack.
        expectOrderError(.invalid, "nesting deeper") {
            _ = try JSONParser.parse(String(repeating: "[", count: 200_000))
        }
    }

    @Test("duplicate keys are refused, naming the key")
    func duplicateKeys() {
        expectOrderError(.invalid, "duplicate key \"a\"") { _ = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#) }
        expectOrderError(.invalid, "duplicate key \"qty\"") { _ = try JSONParser.parse(#"{"lines":[{"qty":1,"qty":1}]}"#) }
        // The same key in sibling objects is fine.
        #expect(throws: Never.self) { _ = try JSONParser.parse(#"[{"a":1},{"a":2}]"#) }
    }

    @Test("trailing data after the value is refused", arguments: ["{} x", "1 2", "[1]]", "{}{}", "nullx", "truex", "\"a\"\"b\"", "0 0"])
    func trailingData(text: String) {
        expectOrderError(.invalid, "malformed JSON", "unexpected data after the JSON value") { _ = try JSONParser.parse(text) }
    }

    @Test("leading zeros are refused", arguments: ["01", "-01", "00", "[007]", "{\"a\":00.5}"])
    func leadingZeros(text: String) {
        expectOrderError(.invalid, "leading zero") { _ = try JSONParser.parse(text) }
    }

    @Test("bad escapes are refused", arguments: [
        #""\x""#, #""\a""#, #""\U0041""#, #""\u12G4""#, #""\u12""#, #""\u""#, #""\""#, #""\'""#, "\"\\\u{0}\"",
    ])
    func badEscapes(text: String) {
        expectOrderError(.invalid, "malformed JSON") { _ = try JSONParser.parse(text) }
    }

    @Test("unpaired surrogates are refused", arguments: [
        #""\ud800""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00""#, #""\udfff\ud800""#, #""\ud83d\ud83d""#, #""\ud800\n""#,
    ])
    func unpairedSurrogates(text: String) {
        expectOrderError(.invalid, "surrogate") { _ = try JSONParser.parse(text) }
    }

    @Test("raw control characters inside strings are refused", arguments: Array(0x00...0x1F))
    func controlCharacters(byte: Int) {
        let bytes: [UInt8] = [0x22, 0x61, UInt8(byte), 0x62, 0x22]
        expectOrderError(.invalid, "control character in string") { _ = try JSONParser.parse(bytes: bytes) }
    }

    @Test("invalid UTF-8 bytes are refused", arguments: [
        [0x22, 0xFF, 0x22],                    // never valid
        [0x22, 0xC3, 0x28, 0x22],              // bad continuation byte
        [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
        [0x22, 0xE2, 0x82, 0x22],              // truncated 3-byte sequence
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // UTF-16 surrogate encoded as UTF-8
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0x80, 0x22],                    // lone continuation byte
        [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // in a key
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        expectOrderError(.invalid, "malformed JSON") { _ = try JSONParser.parse(bytes: bytes) }
    }

    @Test("invalid UTF-8 outside strings is refused")
    func invalidBytesOutsideStrings() {
        expectOrderError(.invalid, "unexpected character") { _ = try JSONParser.parse(bytes: [0xFF]) }
        expectOrderError(.invalid) { _ = try JSONParser.parse(bytes: [0x5B, 0xC3, 0xA6, 0x5D]) }
    }

    @Test("other syntax errors are refused as invalid", arguments: [
        "", "   ", "[", "]", "{", "[1,]", "[,1]", "{\"a\":1,}", "{a:1}", "{'a':1}", "'a'", "{\"a\"}", "{\"a\" 1}",
        "{\"a\":}", "{1:2}", "[1 2]", "tru", "nul", "fals", "True", "NULL", "NaN", "Infinity", "-Infinity", "+1", ".5",
        "1.", "1.e3", "1e", "1e+", "-", "--1", "0x10", "\"abc", "\"abc\\", "[\"a\",", "{\"a\":1", "//c\n1", "1,",
    ])
    func syntaxErrors(text: String) {
        expectOrderError(.invalid, "malformed JSON at byte") { _ = try JSONParser.parse(text) }
    }

    @Test("the error names the byte offset")
    func errorOffset() {
        expectOrderError(.invalid, "at byte 3") { _ = try JSONParser.parse("[1,]") }
        expectOrderError(.invalid, "at byte 0", "unexpected end of input") { _ = try JSONParser.parse("") }
        let e = expectOrderError(.invalid) { _ = try JSONParser.parse("{\"a\":1 x") }
        #expect(e?.field == nil)
    }

    // MARK: - Limits (hostile bodies): time is measured by `oe bench json`, not here

    static func object(keys: Int, duplicateOf: Int? = nil) -> String {
        var s = "{"
        for k in 0..<keys { s += (k == 0 ? "" : ",") + "\"k\(k)\":\(k)" }
        if let d = duplicateOf { s += ",\"k\(d)\":0" }
        return s + "}"
    }

    @Test("an object of maxKeysPerObject keys is accepted; one more key is refused, naming the limit")
    func keysPerObjectLimit() throws {
        let n = JSONParser.maxKeysPerObject
        let ok = try JSONParser.parse(Self.object(keys: n))
        #expect(ok.objectValue?.count == n)
        #expect(ok["k99999"] == .int(99_999))
        expectOrderError(.invalid, "at most \(n) keys") { _ = try JSONParser.parse(Self.object(keys: n + 1)) }
    }

    @Test("a duplicate far into a large object is found (hash-checked), naming the key and its offset")
    func duplicateInLargeObject() {
        let text = Self.object(keys: 50_000, duplicateOf: 7)
        let e = expectOrderError(.invalid, "duplicate key \"k7\"") { _ = try JSONParser.parse(text) }
        #expect(e?.message.contains("at byte \(text.utf8.count - 7)") == true, "\(e?.message ?? "")")
        // Escaped spellings of the same key are the same key.
        expectOrderError(.invalid, "duplicate key \"k1\"") {
            _ = try JSONParser.parse(#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":0,"k12":0,"k13":0,"\u006b1":2}"#)
        }
    }

    @Test("a text above maxBytes is refused before parsing, naming the limit")
    func sizeLimit() {
        let big = [UInt8](repeating: 0x20, count: JSONParser.maxBytes) + Array("1".utf8)
        expectOrderError(.invalid, "larger than the limit of \(JSONParser.maxBytes) bytes") { _ = try JSONParser.parse(bytes: big) }
    }

    @Test("large objects compare equal in any member order, and unequal on one difference")
    func largeObjectEquality() throws {
        let a = try JSONParser.parse(Self.object(keys: 5_000))
        var reversed = JSONObject()
        for m in (a.objectValue?.members ?? []).reversed() { reversed.appendNew(m.key, m.value) }
        #expect(a == .object(reversed))
        reversed["k4999"] = .int(-1)
        #expect(a != .object(reversed))
    }
}
