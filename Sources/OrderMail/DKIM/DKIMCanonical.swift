/// DKIM canonicalization "relaxed" (RFC 6376 § 3.4.2 and § 3.4.4) of a message's bytes.
enum DKIMCanonical {
    /// Splits a message into its header fields (each with its continuation lines, without the
    /// final CRLF) and its body (after the empty line).
    static func split(_ message: [UInt8]) -> (headers: [[UInt8]], body: ArraySlice<UInt8>) {
        var headers: [[UInt8]] = []
        var i = 0
        var current: [UInt8] = []
        while i < message.count {
            var j = i
            while j + 1 < message.count && !(message[j] == 13 && message[j + 1] == 10) { j += 1 }
            let line = message[i..<min(j, message.count)]
            let next = min(j + 2, message.count)
            if line.isEmpty {
                if !current.isEmpty { headers.append(current) }
                return (headers, message[next...])
            }
            if line.first == 0x20 || line.first == 0x09 {
                current += [13, 10]
                current += line
            } else {
                if !current.isEmpty { headers.append(current) }
                current = Array(line)
            }
            i = next
        }
        if !current.isEmpty { headers.append(current) }
        return (headers, [])
    }

    /// The lower-cased name of a header field.
    static func name(_ field: [UInt8]) -> String {
        let n = field.prefix { $0 != 0x3A }
        return String(decoding: n, as: UTF8.self).lowercased().trimmedTrailingWSP()
    }

    /// `name:value` relaxed: name lower-cased, value unfolded, runs of white space to one
    /// space, white space at both ends of the value and before the colon removed. No CRLF.
    static func header(_ field: [UInt8]) -> [UInt8] {
        guard let colon = field.firstIndex(of: 0x3A) else { return field }
        let name = Array(field[..<colon]).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }.filter { $0 != 0x20 && $0 != 0x09 }
        var value: [UInt8] = []
        var space = false
        for b in field[(colon + 1)...] {
            if b == 13 || b == 10 { continue }
            if b == 0x20 || b == 0x09 {
                space = true
                continue
            }
            if space && !value.isEmpty { value.append(0x20) }
            space = false
            value.append(b)
        }
        return name + [0x3A] + value
    }

    /// The body relaxed: white space at line ends removed, runs of white space to one space,
    /// empty lines at the end removed; a non-empty body ends with one CRLF.
    static func body(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var space = false
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            if b == 13 && i + 1 < body.endIndex && body[i + 1] == 10 {
                lines.append(line)
                line = []
                space = false
                i += 2
                continue
            }
            if b == 0x20 || b == 0x09 {
                space = true
            } else {
                if space { line.append(0x20) }
                space = false
                line.append(b)
            }
            i += 1
        }
        if !line.isEmpty { lines.append(line) }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        var out: [UInt8] = []
        for l in lines { out += l + [13, 10] }
        return out
    }
}

extension String {
    func trimmedTrailingWSP() -> String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        return String(s)
    }
}
