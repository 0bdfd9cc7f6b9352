import CPostgres

/// What the engine does with a PostgreSQL connection URL before libpq sees it: recognise it,
/// check it, and keep its password out of every message.
///
/// Written here rather than taken from libpq because libpq's own errors quote the whole URL
/// (`… in URI: "postgresql://user:secret@…"`), and a password with an unencoded `@` or `/`
/// is split by libpq into host or database names that its errors then print. So a URL is
/// checked (``check(_:)``) before it is used, and every libpq message is scrubbed
/// (``scrub(_:url:)``).
public enum ConnectionURL {
    /// True when `location` is a libpq URL: `postgresql://` or `postgres://`, in any case
    /// (URL schemes are case-insensitive; libpq itself takes only lower case, see ``normalized(_:)``).
    public static func isPostgres(_ location: String) -> Bool {
        let lower = location.prefix(13).lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// `url` with its scheme in lower case, as libpq requires.
    public static func normalized(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        return url[..<scheme.lowerBound].lowercased() + url[scheme.lowerBound...]
    }

    /// `url` with its password replaced by `mask`, or removed with its `:` (and a
    /// `password=` parameter removed) when `mask` is nil. The user information ends at the
    /// last `@` before the query, so a password holding `/` or `@` is hidden whole.
    public static func redacted(_ url: String, mask: String? = "***") -> String {
        var s = url
        if let (colon, at) = passwordBounds(s) {
            if let mask { s.replaceSubrange(s.index(after: colon)..<at, with: mask) } else { s.removeSubrange(colon..<at) }
        }
        // Query parameters whose name is `password` however written (libpq percent-decodes
        // names, so `%70assword=` is the password too; any case, so a misspelt name that libpq
        // refuses is not printed either).
        guard let q = s.firstIndex(of: "?") else { return s }
        var kept: [Substring] = []
        for part in s[s.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false) {
            guard isPasswordParameter(part) else { kept.append(part); continue }
            if let mask, let eq = part.firstIndex(of: "=") { kept.append(Substring(part[...eq] + mask)) }
        }
        s = String(s[...q]) + kept.joined(separator: "&")
        while mask == nil && (s.last == "&" || s.last == "?") { s.removeLast() }
        return s
    }

    /// `message` (a libpq error) with `url` and every password it carries replaced, raw and
    /// percent-decoded.
    public static func scrub(_ message: String, url: String) -> String {
        var m = message.replacing(url, with: redacted(url))
        for p in passwords(url) where p.count >= 2 { m = m.replacing(p, with: "***") }
        return m
    }

    /// Throws `value` for a URL libpq would misread or refuse to parse: a password with an
    /// unencoded `@` or `/` (libpq would take part of it for the host or the database, and
    /// print it), or a URL whose syntax or parameters libpq rejects (`invalid URI query
    /// parameter`, an unclosed `[`). The message shows the URL without its password.
    public static func check(_ url: String) throws(PostgresError) {
        if let (colon, at) = passwordBounds(url) {
            let password = url[url.index(after: colon)..<at]
            if password.contains("@") || password.contains("/") {
                throw PostgresError(.value, "the password in \(redacted(url)) holds an unencoded '@' or '/': percent-encode it (%40, %2F) in the URL, or pass it as PGPASSWORD or in ~/.pgpass")
            }
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            let reason = error.map { String(cString: $0) } ?? "out of memory"
            if let error { PQfreemem(error) }
            throw PostgresError(.value, "not a valid PostgreSQL URL (\(redacted(url))): \(scrub(String(reason.split(separator: "\n").joined(separator: "; ")), url: url))")
        }
        PQconninfoFree(options)
    }

    /// The password of `url`: after the first `:` of the user information, up to the last `@`
    /// before the query; nil without one.
    private static func passwordBounds(_ url: String) -> (colon: String.Index, at: String.Index)? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let beforeQuery = rest[..<(rest.firstIndex(of: "?") ?? rest.endIndex)]
        guard let at = beforeQuery.lastIndex(of: "@"), let colon = beforeQuery[..<at].firstIndex(of: ":") else { return nil }
        return (colon, at)
    }

    /// Every password `url` carries (user information and `password=`), raw and percent-decoded.
    private static func passwords(_ url: String) -> [String] {
        var found: [String] = []
        if let (colon, at) = passwordBounds(url) { found.append(String(url[url.index(after: colon)..<at])) }
        if let q = url.firstIndex(of: "?") {
            for part in url[url.index(after: q)...].split(separator: "&") where isPasswordParameter(part) {
                if let eq = part.firstIndex(of: "=") { found.append(String(part[part.index(after: eq)...])) }
            }
        }
        return found + found.compactMap { $0.removingPercentEncoding }
    }

    /// True for a query parameter `name=value` whose name, percent-decoded, is `password` in any case.
    private static func isPasswordParameter(_ part: Substring) -> Bool {
        let name = part[..<(part.firstIndex(of: "=") ?? part.endIndex)]
        return (String(name).removingPercentEncoding ?? String(name)).lowercased() == "password"
    }
}

extension String {
    /// The string with `%XX` escapes decoded; nil when an escape is malformed or the bytes
    /// are not UTF-8. (Foundation's `removingPercentEncoding`, which PostgresClient does not import.)
    fileprivate var removingPercentEncoding: String? {
        var bytes: [UInt8] = []
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                      let v = UInt8(String(decoding: utf8[h...utf8.index(after: h)], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                i = utf8.index(h, offsetBy: 2)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
