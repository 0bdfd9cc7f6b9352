import Testing
@testable import OrderCore

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("quotes, backslash and the short escapes are escaped")
    func shortEscapes() {
        #expect(JSON.string("a\"b").compactText == #""a\"b""#)
        #expect(JSON.string("a\\b").compactText == #""a\\b""#)
        #expect(JSON.string("line1\nline2").compactText == #""line1\nline2""#)
        #expect(JSON.string("cr\rtab\t").compactText == #""cr\rtab\t""#)
        // Solidus needs no escape.
        #expect(JSON.string("a/b").compactText == #""a/b""#)
    }

    @Test("other control characters are written as \\u00XX")
    func controlCharacters() {
        #expect(JSON.string("\u{0}").compactText == #""\u0000""#)
        #expect(JSON.string("\u{1}").compactText == #""\u0001""#)
        #expect(JSON.string("\u{8}\u{C}").compactText == #""\u0008\u000c""#)
        #expect(JSON.string("\u{1B}[0m").compactText == #""\u001b[0m""#)
        #expect(JSON.string("\u{1F}").compactText == #""\u001f""#)
        for v in 0..<0x20 {
            let text = JSON.string(String(Unicode.Scalar(UInt8(v)))).compactText
            // Never a raw control character in the output.
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 }, "raw control character for \(v)")
            let short: [Int: String] = [0x0A: #"\n"#, 0x0D: #"\r"#, 0x09: #"\t"#]
            if let s = short[v] {
                #expect(text == "\"\(s)\"")
            } else {
                let hex = String(v, radix: 16)
                #expect(text.lowercased() == "\"\\u" + String(repeating: "0", count: 4 - hex.count) + hex + "\"")
            }
        }
    }

    @Test("non-ASCII and DEL are written as they are")
    func nonASCII() {
        #expect(JSON.string("Ærø 😀 €\u{7F}").compactText == "\"Ærø 😀 €\u{7F}\"")
    }

    @Test("every string survives write → parse")
    func stringRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        let pool: [Unicode.Scalar] = (0..<0x80).compactMap(Unicode.Scalar.init) + ["æ", "ø", "å", "€", "😀", "\u{2028}", "\u{FEFF}", "\u{10FFFF}"]
        for _ in 0..<500 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...20, using: &rng) { s.append(pool.randomElement(using: &rng)!) }
            let str = String(s)
            #expect(try JSONParser.parse(JSON.string(str).compactText) == .string(str))
            #expect(try JSONParser.parse(JSON.object(["k\(str)": .string(str)]).compactText) == .object(["k\(str)": .string(str)]))
        }
    }

    @Test("keys are written in insertion order")
    func keyOrder() {
        var o: JSONObject = ["order": 1001, "status": "received"]
        o["a_late_key"] = true
        o["b"] = .null
        #expect(JSON.object(o).compactText == #"{"order":1001,"status":"received","a_late_key":true,"b":null}"#)
        // Replacing keeps the position; removing drops the member.
        o["status"] = "shipped"
        o["a_late_key"] = nil
        #expect(o.keys == ["order", "status", "b"])
        #expect(JSON.object(o).compactText == #"{"order":1001,"status":"shipped","b":null}"#)
        #expect(o.count == 3)
    }

    @Test("object literals keep their written order; setting a key later replaces it in place")
    func literalOrderAndReplacement() {
        // Literal keys must be distinct (not checked: a hot path); subscripting checks.
        var o: JSONObject = ["a": 1, "b": 2]
        o["a"] = 3
        #expect(o.keys == ["a", "b"])
        #expect(o["a"] == .int(3))
    }

    @Test("object equality ignores key order; array equality does not")
    func equality() {
        #expect(JSON.object(["a": 1, "b": 2]) == JSON.object(["b": 2, "a": 1]))
        #expect(JSON.object(["a": 1]) != JSON.object(["a": 1, "b": 2]))
        #expect(JSON.object(["a": 1, "b": 2]) != JSON.object(["a": 1]))
        #expect(JSON.object(["a": 1]) != JSON.object(["a": 2]))
        #expect(JSON.array([1, 2]) != JSON.array([2, 1]))
        #expect(JSON.int(1) != JSON.double(1))
        #expect(JSON.int(1) != JSON.bool(true))
    }

    @Test("numbers: integers exactly, non-finite doubles as null")
    func numbers() {
        #expect(JSON.int(Int64.max).compactText == "9223372036854775807")
        #expect(JSON.int(Int64.min).compactText == "-9223372036854775808")
        #expect(JSON.double(0.25).compactText == "0.25")
        #expect(JSON.double(.infinity).compactText == "null")
        #expect(JSON.double(-.infinity).compactText == "null")
        #expect(JSON.double(.nan).compactText == "null")
        for d in [1.0, -3.5, 1e300, Double.leastNonzeroMagnitude, 123456.789, 1e16, -0.001] {
            #expect((try? JSONParser.parse(JSON.double(d).compactText)) == .double(d), "\(d)")
        }
    }

    @Test("compact and pretty layouts")
    func layouts() {
        let v: JSON = ["a": [1, 2], "b": [:], "c": [], "d": ["e": nil]]
        #expect(v.compactText == #"{"a":[1,2],"b":{},"c":[],"d":{"e":null}}"#)
        #expect(v.prettyText == """
            {
              "a": [
                1,
                2
              ],
              "b": {},
              "c": [],
              "d": {
                "e": null
              }
            }
            """)
        #expect(JSON.array([]).prettyText == "[]")
        #expect(JSON.object([:]).compactText == "{}")
    }

    @Test("random documents survive compact and pretty round trips")
    func randomRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        func value(_ depth: Int) -> JSON {
            switch Int.random(in: 0...(depth > 3 ? 4 : 6), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
            case 3: return .double(Double.random(in: -1e9...1e9, using: &rng))
            case 4: return .string(String((0..<Int.random(in: 0...8, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0...0x7F, using: &rng))) }))
            case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth + 1) })
            default:
                var o = JSONObject()
                for k in 0..<Int.random(in: 0...4, using: &rng) { o["k\(k)_\(Int.random(in: 0...99, using: &rng))"] = value(depth + 1) }
                return .object(o)
            }
        }
        for _ in 0..<300 {
            let v = value(0)
            #expect(try JSONParser.parse(v.compactText) == v)
            #expect(try JSONParser.parse(v.prettyText) == v)
            #expect(try JSONParser.parse(v.compactText).compactText == v.compactText)
        }
    }

    @Test("accessors and type names")
    func accessors() {
        let v: JSON = ["s": "x", "i": 1, "b": false, "a": [1], "o": ["k": 1], "n": nil, "d": .double(1.5)]
        #expect(v["s"]?.stringValue == "x")
        #expect(v["i"]?.intValue == 1)
        #expect(v["b"]?.boolValue == false)
        #expect(v["a"]?.arrayValue == [1])
        #expect(v["o"]?.objectValue?.keys == ["k"])
        #expect(v["missing"] == nil)
        #expect(JSON.int(1)["k"] == nil)
        #expect(["null", "boolean", "integer", "number", "string", "array", "object"] ==
                [JSON.null, .bool(true), .int(1), .double(1), .string(""), .array([]), .object([:])].map(\.typeName))
        #expect(JSON.optional(nil as String?) == .null)
        #expect(JSON.optional("a") == .string("a"))
        #expect(JSON.optional(nil as Int64?) == .null)
        #expect(JSON.optional(Int64(5)) == .int(5))
    }
}
