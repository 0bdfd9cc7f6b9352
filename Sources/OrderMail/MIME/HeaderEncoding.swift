import OrderCore

/// Header texts for RFC 5322: encoded words (RFC 2047, UTF-8, base64) for anything that is not
/// plain printable ASCII, mailboxes with encoded display names, and RFC 5322 dates.
public enum HeaderEncoding {
    /// `text` as a header value: unchanged when printable ASCII, else encoded words of at most
    /// 75 characters each, split between characters (never inside a UTF-8 sequence), separated
    /// by folding white space.
    public static func encodeText(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && !text.contains("=?") { return text }
        // 75 − "=?UTF-8?B?" − "?=" = 63 base64 characters = 45 bytes per word at most.
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8).filter { $0 != 0x0D && $0 != 0x0A }
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A mailbox `Name <address>` with the name encoded when needed (quoted when it holds
    /// specials), or the bare address.
    public static func encodeMailbox(_ mailbox: String) -> String {
        // An internationalised domain travels as IDNA A-labels (kaffebønner.dk →
        // xn--kaffebnner-5cb.dk), as in the envelope and DKIM's d=, so DMARC sees one domain;
        // the display name stays UTF-8 (an encoded word).
        let address = MailAddress.asciiDomain(MailMessage.address(of: mailbox))
        guard let lt = mailbox.lastIndex(of: "<") else { return address }
        var name = String(mailbox[..<lt])
        while name.last == " " { name.removeLast() }
        while name.first == " " { name.removeFirst() }
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        if name.isEmpty { return "<\(address)>" }
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let specials: Set<Character> = ["(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", ".", "\""]
            if name.contains(where: { specials.contains($0) }) {
                let escaped = name.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"")
                return "\"\(escaped)\" <\(address)>"
            }
            return "\(name) <\(address)>"
        }
        return "\(encodeText(name)) <\(address)>"
    }

    /// RFC 5322 date in UTC: `Wed, 02 Dec 2026 07:41:49 +0000`.
    public static func date(_ t: Timestamp) -> String {
        let iso = t.iso8601  // 2026-12-02T07:41:49Z
        let y = Int(iso.prefix(4)) ?? 1970
        let m = Int(iso.dropFirst(5).prefix(2)) ?? 1
        let d = Int(iso.dropFirst(8).prefix(2)) ?? 1
        let time = String(iso.dropFirst(11).prefix(8))
        let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekday), \(d < 10 ? "0" : "")\(d) \(months[m - 1]) \(y) \(time) +0000"
    }
}

extension String {
    /// Every occurrence of `a` replaced by `b` (no Foundation).
    func replacingAll(_ a: String, _ b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound]
            out += b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
