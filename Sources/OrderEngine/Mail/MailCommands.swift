import OrderCore
import OrderMail
import OrderStore

/// `mail.dkim_keygen`, `mail.dns_records`: the shop's side of "E-mail med SPF, DKIM og DMARC".
enum MailCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("mail.dkim_keygen", .read, "write a new DKIM private key (0600, never overwritten); return its DNS record", run: keygen))
        r.register(Command("mail.dns_records", .read, "the DKIM, SPF and DMARC records the shop must publish", run: dnsRecords))
    }

    /// `{"domain", "selector", "algorithm"?: "rsa-sha256"|"ed25519-sha256", "key_file"}` →
    /// `{"name": "<selector>._domainkey.<domain>", "type": "TXT", "value": "v=DKIM1; k=…; p=…", "key_file"}`.
    static func keygen(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        // An internationalised domain is published under its A-labels.
        let domain = MailSettings.asciiDomain(try p.requiredString("domain", maxLength: 253).lowercased())
        let selector = try p.requiredString("selector", maxLength: 63)
        let algorithm = try p.choice("algorithm", ["rsa-sha256", "ed25519-sha256"]) ?? "rsa-sha256"
        let path = try p.requiredString("key_file", maxLength: 4096)
        try p.finish()
        try MailSettings.checkDomain(domain, field: "domain")
        try MailSettings.checkLabel(selector, field: "selector")
        let key = try DKIMKey.generate(algorithm)
        try LocalFile.write(Array(key.pem.utf8), to: path, field: "key_file", mode: 0o600, exclusive: true)
        let r = DNSRecords.dkim(domain: domain, selector: selector, key: key)
        return ["name": .string(r.name), "type": .string(r.type), "value": .string(r.value), "key_file": .string(path)]
    }

    /// `{}` → `{"records": [{"purpose": "dkim"|"spf"|"dmarc", "name", "type": "TXT", "value"}]}`
    /// for the domain of `mail.from` (or `mail.dkim.domain`).
    static func dnsRecords(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        try p.finish()
        let mail = ctx.settings.mail
        guard let domain = mail.dkim?.domain ?? mail.fromDomain else {
            throw OrderError.invalid("mail.from", "set mail.from (and mail.dkim) first: the records are for the sender's domain")
        }
        var records: [DNSRecord] = []
        if let d = mail.dkim {
            let key = try MailDelivery.loadKey(d.keyFile)
            records.append(DNSRecords.dkim(domain: d.domain, selector: d.selector, key: key))
        }
        records.append(DNSRecords.spf(domain: domain, relayHost: mail.smtpURL.flatMap(SMTPURL.init)?.host))
        records.append(DNSRecords.dmarc(domain: domain, reportTo: mail.dmarcReportTo))
        return ["records": .array(records.map { ["purpose": .string($0.purpose), "name": .string($0.name), "type": .string($0.type), "value": .string($0.value)] })]
    }
}
