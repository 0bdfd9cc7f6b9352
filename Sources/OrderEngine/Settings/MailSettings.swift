import OrderCore
import OrderMail

/// `settings.set {"mail": {...}}`: how the shop's e-mail leaves the house.
///
/// ```json
/// {"from": "Kaffe ApS <ordre@kaffe.dk>", "reply_to": "kundeservice@kaffe.dk",
///  "smtp_url": "smtp://mail.kaffe.dk:587", "starttls": "required",
///  "smtp_user": "ordre@kaffe.dk", "smtp_password_env": "KAFFE_SMTP_PASSWORD",
///  "dkim": {"domain": "kaffe.dk", "selector": "oe1", "algorithm": "ed25519-sha256", "key_file": "/etc/oe/dkim.key"},
///  "dmarc_report_to": "dmarc@kaffe.dk", "send_invoices": true}
/// ```
/// The SMTP password is never stored: `smtp_password_env` names the environment variable the
/// mail worker reads it from.
public struct MailSettings: Sendable, Equatable {
    /// DKIM signing (RFC 6376).
    public struct DKIM: Sendable, Equatable {
        public var domain: String
        public var selector: String
        /// `rsa-sha256` or `ed25519-sha256`.
        public var algorithm: String
        public var keyFile: String

        public var json: JSON {
            ["domain": .string(domain), "selector": .string(selector), "algorithm": .string(algorithm), "key_file": .string(keyFile)]
        }
    }

    /// The From header: `Name <address>` or an address.
    public var from: String?
    public var replyTo: String?
    /// `smtp://host:port` or `smtps://host:port`.
    public var smtpURL: String?
    /// `required` (default), `optional` or `off`: STARTTLS on an `smtp://` URL.
    public var starttls = "required"
    public var smtpUser: String?
    /// The name of the environment variable holding the SMTP password.
    public var smtpPasswordEnv: String?
    /// A CA bundle for the server's certificate (a private relay); the system's by default.
    public var caFile: String?
    public var dkim: DKIM?
    public var dmarcReportTo: String?
    /// Queue the invoice e-mail (PDF attached) whenever an invoice is issued.
    public var sendInvoices = false

    public init() {}

    /// The envelope sender and From address (the part in angle brackets).
    public var fromAddress: String? { from.map(MailSettings.address(in:)) }

    /// The address of `Name <address>`, or the text itself.
    static func address(in s: String) -> String {
        if let lt = s.lastIndex(of: "<"), let gt = s.lastIndex(of: ">"), lt < gt { return String(s[s.index(after: lt)..<gt]) }
        return s
    }

    /// From stored JSON (trusted).
    public init(stored j: JSON?) {
        self.init()
        guard let j else { return }
        from = j["from"]?.stringValue
        replyTo = j["reply_to"]?.stringValue
        smtpURL = j["smtp_url"]?.stringValue
        if let s = j["starttls"]?.stringValue { starttls = s }
        smtpUser = j["smtp_user"]?.stringValue
        smtpPasswordEnv = j["smtp_password_env"]?.stringValue
        caFile = j["ca_file"]?.stringValue
        if let d = j["dkim"], let domain = d["domain"]?.stringValue, let sel = d["selector"]?.stringValue,
           let alg = d["algorithm"]?.stringValue, let key = d["key_file"]?.stringValue {
            dkim = DKIM(domain: domain, selector: sel, algorithm: alg, keyFile: key)
        }
        dmarcReportTo = j["dmarc_report_to"]?.stringValue
        sendInvoices = j["send_invoices"]?.boolValue ?? false
    }

    /// The settings as `settings.get` shows them (no password: only the variable's name).
    public var json: JSON {
        [
            "from": .optional(from), "reply_to": .optional(replyTo), "smtp_url": .optional(smtpURL), "starttls": .string(starttls),
            "smtp_user": .optional(smtpUser), "smtp_password_env": .optional(smtpPasswordEnv), "ca_file": .optional(caFile),
            "dkim": dkim?.json ?? .null, "dmarc_report_to": .optional(dmarcReportTo), "send_invoices": .bool(sendInvoices),
        ]
    }

    /// Reads the `mail` object of `settings.set` over `current`: a key given replaces its
    /// value, `null` clears an optional one. Every value is checked; errors name `mail.<key>`.
    static func parse(_ p: ParamReader, over current: MailSettings) throws(OrderError) -> MailSettings {
        var s = current
        func optional(_ key: String, maxLength: Int = 254, check: ((String) throws(OrderError) -> Void)? = nil) throws(OrderError) -> String?? {
            if p.isNull(key) {
                _ = p.raw(key)
                return .some(nil)
            }
            guard let v = try p.string(key, maxLength: maxLength) else { return nil }
            if v.contains(where: { $0 == "\r" || $0 == "\n" }) { throw OrderError.invalid(p.fieldPath(key), "must be one line") }
            try check?(v)
            return .some(v)
        }
        let email: (String) throws(OrderError) -> Void = { v throws(OrderError) in
            guard Customer.looksLikeEmail(address(in: v)) else { throw OrderError.invalid("mail", "'\(v)' is not an e-mail address") }
        }
        if let v = try optional("from", maxLength: 300, check: { v throws(OrderError) in
            guard Customer.looksLikeEmail(address(in: v)) else { throw OrderError.invalid(p.fieldPath("from"), "'\(v)' has no e-mail address (expected \"Name <address>\")") }
        }) { s.from = v }
        if let v = try optional("reply_to", check: email) { s.replyTo = v }
        if let v = try optional("smtp_url", maxLength: 500, check: { v throws(OrderError) in
            guard SMTPURL(v) != nil else {
                throw OrderError.invalid(p.fieldPath("smtp_url"), "expected smtp://host:port or smtps://host:port, got '\(v)'")
            }
        }) { s.smtpURL = v }
        if let v = try p.choice("starttls", ["required", "optional", "off"]) { s.starttls = v }
        if let v = try optional("smtp_user") { s.smtpUser = v }
        if let v = try optional("smtp_password_env", maxLength: 100, check: { v throws(OrderError) in
            guard !v.isEmpty, v.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) else {
                throw OrderError.invalid(p.fieldPath("smtp_password_env"), "the name of an environment variable (letters, digits, _), not the password")
            }
        }) { s.smtpPasswordEnv = v }
        if let v = try optional("ca_file", maxLength: 4096) { s.caFile = v }
        if p.isNull("dkim") {
            _ = p.raw("dkim")
            s.dkim = nil
        } else if let d = try p.object("dkim") {
            let domain = try d.requiredString("domain", maxLength: 253)
            let selector = try d.requiredString("selector", maxLength: 63)
            let algorithm = try d.choice("algorithm", ["rsa-sha256", "ed25519-sha256"]) ?? "rsa-sha256"
            let key = try d.requiredString("key_file", maxLength: 4096)
            try d.finish()
            // An internationalised domain is kept as its A-labels: DKIM's d= must be ASCII
            // (RFC 8616) and equal the From domain as the message carries it.
            let ascii = asciiDomain(domain.lowercased())
            try checkDomain(ascii, field: d.fieldPath("domain"))
            try checkLabel(selector, field: d.fieldPath("selector"))
            s.dkim = DKIM(domain: ascii, selector: selector, algorithm: algorithm, keyFile: key)
        }
        if let v = try optional("dmarc_report_to", check: email) { s.dmarcReportTo = v }
        if let b = try p.bool("send_invoices") { s.sendInvoices = b }
        try p.finish()
        return s
    }

    /// `domain` in IDNA A-labels (`kåffe.dk` → `xn--kffe-qoa.dk`); ASCII names unchanged.
    static func asciiDomain(_ domain: String) -> String {
        String(MailAddress.asciiDomain("x@" + domain).dropFirst(2))
    }

    /// The domain of `mail.from`'s address in IDNA A-labels, as the envelope, the From header
    /// and the Message-ID carry it.
    public var fromDomain: String? {
        fromAddress.flatMap { $0.split(separator: "@").last.map { MailSettings.asciiDomain(String($0).lowercased()) } }
    }

    /// A DNS name: labels of letters, digits and hyphens, at least one dot.
    static func checkDomain(_ d: String, field: String) throws(OrderError) {
        let labels = d.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw OrderError.invalid(field, "'\(d)' is not a domain name") }
        for l in labels { try checkLabel(String(l), field: field) }
    }

    static func checkLabel(_ l: String, field: String) throws(OrderError) {
        guard !l.isEmpty, l.utf8.count <= 63, !l.hasPrefix("-"), !l.hasSuffix("-"),
              l.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 })
        else { throw OrderError.invalid(field, "'\(l)' is not a DNS label (letters, digits, hyphens)") }
    }
}

/// An SMTP server address from `mail.smtp_url`.
public struct SMTPURL: Sendable, Equatable {
    /// `smtps://` (TLS from the first byte) rather than `smtp://`.
    public var implicitTLS: Bool
    public var host: String
    public var port: Int

    /// Parses `smtp://host[:port]` (default 587) or `smtps://host[:port]` (default 465); nil otherwise.
    public init?(_ s: String) {
        let rest: Substring
        if s.hasPrefix("smtps://") {
            implicitTLS = true
            rest = s.dropFirst(8)
        } else if s.hasPrefix("smtp://") {
            implicitTLS = false
            rest = s.dropFirst(7)
        } else { return nil }
        let hostPort = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !hostPort.isEmpty, !hostPort.contains("/"), !hostPort.contains("@") else { return nil }
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasPrefix("[") || hostPort[..<colon].hasSuffix("]") {
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            host = String(hostPort[..<colon])
            port = p
        } else {
            host = String(hostPort)
            port = implicitTLS ? 465 : 587
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
    }

    /// The URL libcurl is given.
    public var curlURL: String { "\(implicitTLS ? "smtps" : "smtp")://\(host):\(port)" }
}
