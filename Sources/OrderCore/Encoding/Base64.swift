/// Base64 (RFC 4648, standard alphabet, padded): for document bytes in JSON results, MIME
/// attachments and DKIM keys and signatures.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` encoded; with `lineLength` (a multiple of 4) the text is broken into lines of
    /// that many characters joined by CRLF, as MIME wants (76).
    public static func encode<C: Collection>(_ bytes: C, lineLength: Int? = nil) -> String where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4 + bytes.count / 38 + 2)
        var line = 0
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next(), c = it.next()
            let n = UInt32(a) << 16 | UInt32(b ?? 0) << 8 | UInt32(c ?? 0)
            if let lineLength, line == lineLength {
                out += [13, 10]
                line = 0
            }
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(b == nil ? 61 : alphabet[Int(n >> 6 & 63)])
            out.append(c == nil ? 61 : alphabet[Int(n & 63)])
            line += 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text`, ignoring white space (line breaks); nil when it is not Base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for ch in text.utf8 {
            switch ch {
            case 65...90: values.append(ch - 65)
            case 97...122: values.append(ch - 71)
            case 48...57: values.append(ch + 4)
            case 43: values.append(62)
            case 47: values.append(63)
            case 61: padding += 1; continue
            case 9, 10, 13, 32: continue
            default: return nil
            }
            if padding > 0 { return nil }  // data after padding
        }
        guard (values.count + padding) % 4 == 0 || padding == 0, padding <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var k = 0
        while k + 1 < values.count {
            let c0 = UInt32(values[k]), c1 = UInt32(values[k + 1])
            let c2 = k + 2 < values.count ? UInt32(values[k + 2]) : 0
            let c3 = k + 3 < values.count ? UInt32(values[k + 3]) : 0
            let n = c0 << 18 | c1 << 12 | c2 << 6 | c3
            out.append(UInt8(n >> 16 & 255))
            if k + 2 < values.count { out.append(UInt8(n >> 8 & 255)) }
            if k + 3 < values.count { out.append(UInt8(n & 255)) }
            k += 4
        }
        if values.count % 4 == 1 { return nil }
        return out
    }
}
