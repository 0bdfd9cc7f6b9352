/// The DNS records a shop publishes so receivers trust its mail: DKIM (RFC 6376), SPF
/// (RFC 7208) and DMARC (RFC 7489).
public struct DNSRecord: Sendable, Equatable {
    /// `dkim`, `spf` or `dmarc`.
    public var purpose: String
    public var name: String
    public var type: String = "TXT"
    public var value: String

    public init(purpose: String, name: String, value: String) {
        self.purpose = purpose
        self.name = name
        self.value = value
    }
}

public enum DNSRecords {
    /// The DKIM key record under `<selector>._domainkey.<domain>`.
    public static func dkim(domain: String, selector: String, key: DKIMKey) -> DNSRecord {
        DNSRecord(purpose: "dkim", name: "\(selector)._domainkey.\(domain)", value: key.dnsRecord)
    }

    /// An SPF record for `domain` that allows the SMTP relay `relayHost`: `a:` for a host
    /// name, `ip4:`/`ip6:` for an address; `~all` (soft fail) for what else sends.
    public static func spf(domain: String, relayHost: String?) -> DNSRecord {
        var mechanisms = ["v=spf1", "mx"]
        if let h = relayHost, h != "localhost", !h.hasPrefix("127.") {
            if h.allSatisfy({ $0.isNumber || $0 == "." }) { mechanisms.append("ip4:\(h)") }
            else if h.hasPrefix("[") || h.contains(":") { mechanisms.append("ip6:\(h.filter { $0 != "[" && $0 != "]" })") }
            else { mechanisms.append("a:\(h)") }
        }
        mechanisms.append("~all")
        return DNSRecord(purpose: "spf", name: domain, value: mechanisms.joined(separator: " "))
    }

    /// A DMARC record starting at `p=none` (monitor), aggregate reports to `reportTo`.
    public static func dmarc(domain: String, reportTo: String?) -> DNSRecord {
        var v = "v=DMARC1; p=none"
        if let r = reportTo { v += "; rua=mailto:\(r)" }
        v += "; adkim=r; aspf=r"
        return DNSRecord(purpose: "dmarc", name: "_dmarc.\(domain)", value: v)
    }
}
