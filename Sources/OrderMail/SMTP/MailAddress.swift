/// Internationalised e-mail addresses (RFC 6530–6532, RFC 5891): a domain with letters such as
/// æ, ø, å travels as its IDNA A-labels (`kåffe.dk` → `xn--kffe-qoa.dk`), which every server
/// takes; a local part with them (`søren@…`) needs a server that offers SMTPUTF8.
public enum MailAddress {
    /// `address` with its domain in IDNA A-labels (each non-ASCII label lower-cased and
    /// Punycode-encoded with the `xn--` prefix); the local part is kept as it is. An address
    /// without `@`, or one whose label cannot be encoded, is returned unchanged.
    public static func asciiDomain(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !domain.unicodeScalars.allSatisfy(\.isASCII) else { return address }
        var labels: [String] = []
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(String(label).lowercased()) else { return address }
                labels.append("xn--" + encoded)
            }
        }
        return local + "@" + labels.joined(separator: ".")
    }

    /// Whether the local part (before the last `@`) has a non-ASCII character, so the message
    /// can only be delivered through SMTPUTF8 (RFC 6531).
    public static func needsSMTPUTF8(_ address: String) -> Bool {
        let local = address.lastIndex(of: "@").map { address[..<$0] } ?? Substring(address)
        return !local.unicodeScalars.allSatisfy(\.isASCII)
    }
}

/// Punycode (RFC 3492), the encoding of IDNA A-labels.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 0x80

    /// The Punycode form of `label` (without the `xn--` prefix), or nil on overflow.
    static func encode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = input.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN, delta = 0, bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (step, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += step
            n = m
            for c in input {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, first: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    private static func digit(_ d: Int) -> Character {
        Character(Unicode.Scalar(UInt8(d < 26 ? 97 + d : 22 + d)))
    }

    private static func adapt(_ delta: Int, _ count: Int, first: Bool) -> Int {
        var d = first ? delta / damp : delta / 2
        d += d / count
        var k = 0
        while d > ((base - tMin) * tMax) / 2 {
            d /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * d / (d + skew)
    }
}
