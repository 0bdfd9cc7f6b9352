/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Written by hand rather than using Foundation's `JSONSerialization` because commands need
/// what it does not give: integers kept exactly as `Int64` (no `NSNumber` bridging, booleans
/// never confused with 0/1), duplicate keys rejected, a nesting limit, and error messages with
/// a byte offset. It is also fast and Foundation-free, which the C library benefits from.
///
/// Time is linear in the size of the text: duplicate keys are found through a hash set once an
/// object has more than a few keys, so a web-facing host cannot be tied up by a body of many
/// keys. Limits (each refused with `invalid` naming the limit): `maxBytes` per text,
/// `maxKeysPerObject` per object, `maxDepth` of nesting.
public struct JSONParser {
    /// The deepest nesting accepted; deeper documents are refused rather than risking the stack.
    public static let maxDepth = 256
    /// The largest text accepted (64 MiB).
    public static let maxBytes = 64 << 20
    /// The most members one object may have.
    public static let maxKeysPerObject = 100_000
    /// Up to this many keys, duplicates are found by comparing (cheaper than hashing).
    private static let linearKeys = 12

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    /// Parses a complete JSON text. Throws `OrderError(.invalid)` naming the offset on any
    /// syntax error, invalid UTF-8, trailing data, duplicate key or excessive nesting.
    public static func parse(_ text: String) throws(OrderError) -> JSON {
        var p = JSONParser(bytes: Array(text.utf8))
        return try p.parseDocument()
    }

    /// Parses JSON from raw bytes (which may be invalid UTF-8; that is reported as an error).
    public static func parse(bytes: [UInt8]) throws(OrderError) -> JSON {
        var p = JSONParser(bytes: bytes)
        return try p.parseDocument()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func parseDocument() throws(OrderError) -> JSON {
        if bytes.count > JSONParser.maxBytes {
            throw OrderError(.invalid, "JSON text of \(bytes.count) bytes is larger than the limit of \(JSONParser.maxBytes) bytes (64 MiB)")
        }
        skipSpace()
        let v = try parseValue()
        skipSpace()
        if i != bytes.count { throw fail("unexpected data after the JSON value") }
        return v
    }

    private func fail(_ what: String) -> OrderError {
        OrderError(.invalid, "malformed JSON at byte \(i): \(what)")
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(OrderError) -> JSON {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    private mutating func expectWord(_ w: StaticString) throws(OrderError) {
        let n = w.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end of input") }
        let p = w.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func enter() throws(OrderError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
    }

    private mutating func parseObject() throws(OrderError) -> JSON {
        try enter()
        i += 1
        var obj = JSONObject()
        var seen: Set<String>?  // the keys, once there are more than `linearKeys`
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(obj) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyStart = i
            let key = try parseString()
            if obj.count >= JSONParser.maxKeysPerObject {
                i = keyStart
                throw fail("an object may have at most \(JSONParser.maxKeysPerObject) keys")
            }
            if seen == nil, obj.count >= JSONParser.linearKeys { seen = Set(obj.keys) }
            let duplicate = if seen != nil { !seen!.insert(key).inserted } else { obj[key] != nil }
            if duplicate { i = keyStart; throw fail("duplicate key \"\(key)\"") }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            obj.appendUnchecked(key, try parseValue())
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected ',' or '}'")
        }
        depth -= 1
        return .object(obj)
    }

    private mutating func parseArray() throws(OrderError) -> JSON {
        try enter()
        i += 1
        var arr: [JSON] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(arr) }
        while true {
            skipSpace()
            arr.append(try parseValue())
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; break }
            throw fail("expected ',' or ']'")
        }
        depth -= 1
        return .array(arr)
    }

    private mutating func parseNumber() throws(OrderError) -> JSON {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { throw fail("leading zero in number") }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid fraction") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let v = Int64(text) { return .int(v) }
        // Integers beyond Int64 become doubles; amount readers reject them as out of range.
        guard let d = Double(text) else { throw fail("invalid number") }
        return .double(d)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func parseString() throws(OrderError) -> String {
        i += 1  // opening quote
        // Fast path: no escapes before the closing quote (most keys and values).
        var j = i
        var ascii = true
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") {
                guard let s = bytes.withUnsafeBufferPointer({ JSONParser.string(UnsafeBufferPointer(rebasing: $0[i..<j]), ascii: ascii) })
                else { throw fail("invalid UTF-8 in string") }
                i = j + 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b >= 0x80 { ascii = false }
            j += 1
        }
        var out: [UInt8] = []
        var runStart = i
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<i])
                i += 1
                break
            }
            if b < 0x20 { throw fail("control character in string") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<i])
                i += 1
                guard i < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("unpaired surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape")
                }
                runStart = i
                continue
            }
            i += 1
        }
        guard let s = out.withUnsafeBufferPointer({ JSONParser.string($0, ascii: false) }) else { throw fail("invalid UTF-8 in string") }
        return s
    }

    /// The string of UTF-8 `bytes`, or nil when they are not valid UTF-8.
    ///
    /// Not `String(validating:as:)`: it is generic over the collection and, unspecialised here,
    /// looked up type metadata at run time for every string, a third of the parser's time.
    /// `String(decoding:as:)` on a buffer is the standard library's fast path; it replaces
    /// invalid sequences with U+FFFD, so the bytes were valid exactly when nothing changed.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        if ascii { return s }
        var copy = s
        let unchanged = copy.withUTF8 { out in
            guard out.count == bytes.count else { return false }
            for k in 0..<out.count where out[k] != bytes[k] { return false }
            return true
        }
        return unchanged ? s : nil
    }

    private mutating func hex4() throws(OrderError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
