import OrderCore

/// The tagged binary encoding values cross the Lua boundary in (see CLuaBridge.h):
/// `n` null, `t`/`f` booleans, `i` int64 LE, `d` double bits LE, `s` u32 length + UTF-8,
/// `a` u32 count + values, `o` u32 count + (u32 length + key + value)*.
///
/// Why not JSON text: the C side would need a JSON parser and number formatting that can
/// raise; this format is decoded in a few lines of C inside a protected call, and keeps Lua
/// integers and floats apart exactly.
enum LuaValueCodec {
    static func encode(_ v: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(v, into: &out)
        return out
    }

    static func encode(_ v: JSON, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(UInt8(ascii: "n"))
        case .bool(let b): out.append(UInt8(ascii: b ? "t" : "f"))
        case .int(let i):
            out.append(UInt8(ascii: "i"))
            appendU64(UInt64(bitPattern: i), &out)
        case .double(let d):
            out.append(UInt8(ascii: "d"))
            appendU64(d.bitPattern, &out)
        case .string(let s):
            out.append(UInt8(ascii: "s"))
            appendString(s, &out)
        case .array(let a):
            out.append(UInt8(ascii: "a"))
            appendU32(UInt32(a.count), &out)
            for e in a { encode(e, into: &out) }
        case .object(let o):
            out.append(UInt8(ascii: "o"))
            appendU32(UInt32(o.count), &out)
            for m in o.members {
                appendString(m.key, &out)
                encode(m.value, into: &out)
            }
        }
    }

    private static func appendString(_ s: String, _ out: inout [UInt8]) {
        let u = s.utf8
        appendU32(UInt32(u.count), &out)
        out.append(contentsOf: u)
    }

    private static func appendU32(_ v: UInt32, _ out: inout [UInt8]) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    private static func appendU64(_ v: UInt64, _ out: inout [UInt8]) {
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    /// Decodes one value. Throws `invalid` on malformed input or strings that are not UTF-8
    /// (Lua strings are bytes; the engine speaks UTF-8 text).
    static func decode(_ p: UnsafeRawBufferPointer) throws(OrderError) -> JSON {
        var i = 0
        let v = try decodeValue(p, &i, depth: 0)
        return v
    }

    private static func fail() -> OrderError { OrderError(.invalid, "malformed value from Lua") }

    private static func u32(_ p: UnsafeRawBufferPointer, _ i: inout Int) throws(OrderError) -> Int {
        guard i + 4 <= p.count else { throw fail() }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(p[i + k]) << (8 * UInt32(k)) }
        i += 4
        return Int(v)
    }

    private static func u64(_ p: UnsafeRawBufferPointer, _ i: inout Int) throws(OrderError) -> UInt64 {
        guard i + 8 <= p.count else { throw fail() }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(p[i + k]) << (8 * UInt64(k)) }
        i += 8
        return v
    }

    private static func string(_ p: UnsafeRawBufferPointer, _ i: inout Int) throws(OrderError) -> String {
        let n = try u32(p, &i)
        guard i + n <= p.count else { throw fail() }
        guard let s = String(validating: UnsafeRawBufferPointer(rebasing: p[i..<(i + n)]), as: UTF8.self) else {
            throw OrderError(.invalid, "a string from Lua is not valid UTF-8")
        }
        i += n
        return s
    }

    private static func decodeValue(_ p: UnsafeRawBufferPointer, _ i: inout Int, depth: Int) throws(OrderError) -> JSON {
        guard depth < 200, i < p.count else { throw fail() }
        let tag = p[i]
        i += 1
        switch tag {
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "t"): return .bool(true)
        case UInt8(ascii: "f"): return .bool(false)
        case UInt8(ascii: "i"): return .int(Int64(bitPattern: try u64(p, &i)))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try u64(p, &i)))
        case UInt8(ascii: "s"): return .string(try string(p, &i))
        case UInt8(ascii: "a"):
            let n = try u32(p, &i)
            var a: [JSON] = []
            a.reserveCapacity(min(n, 1024))
            for _ in 0..<n { a.append(try decodeValue(p, &i, depth: depth + 1)) }
            return .array(a)
        case UInt8(ascii: "o"):
            let n = try u32(p, &i)
            var o = JSONObject()
            for _ in 0..<n {
                let k = try string(p, &i)
                o[k] = try decodeValue(p, &i, depth: depth + 1)
            }
            return .object(o)
        default: throw fail()
        }
    }
}
