import CSMTP

/// What an SMTP server made of one message.
public enum SMTPOutcome: Sendable, Equatable {
    /// Accepted (2xx after the data).
    case accepted(reply: String)
    /// Try again later: a 4xx reply, or the server could not be reached or the connection broke.
    case transient(reason: String)
    /// Refused for good: a 5xx reply (the server's words).
    case permanent(reply: String)
}

/// Where and how to deliver.
public struct SMTPServer: Sendable, Equatable {
    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    /// `required`, `optional` or `off` (STARTTLS on `smtp://`).
    public var starttls: String
    public var user: String?
    /// Never logged or printed.
    public var password: String?
    public var caFile: String?
    /// Milliseconds for one message.
    public var timeoutMilliseconds: Int

    public init(url: String, starttls: String = "required", user: String? = nil, password: String? = nil, caFile: String? = nil,
                timeoutMilliseconds: Int = 60_000) {
        self.url = url
        self.starttls = starttls
        self.user = user
        self.password = password
        self.caFile = caFile
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// An SMTP client over libcurl (through the CSMTP shim). One connection per client, reused
/// for the messages it sends; use one client per thread.
public final class SMTPClient {
    private let session: OpaquePointer?

    public init() { session = oe_smtp_open() }

    deinit { oe_smtp_close(session) }

    /// Sends `data` (a finished message, CRLF lines) from `envelopeFrom` to `recipients`.
    /// Domains travel as IDNA A-labels (`MailAddress.asciiDomain`); libcurl asks for SMTPUTF8
    /// when an address still has non-ASCII characters and the server offers it. A recipient
    /// whose local part is not ASCII, refused by a server that does not offer SMTPUTF8, is a
    /// `.permanent` outcome saying so.
    public func send(_ data: [UInt8], from envelopeFrom: String, to recipients: [String], via server: SMTPServer) -> SMTPOutcome {
        guard let session else { return .transient(reason: "libcurl could not be initialised") }
        var result = oe_smtp_result()
        let rcpt = recipients.map { strdup("<\(MailAddress.asciiDomain($0))>") }
        defer { rcpt.forEach { free($0) } }
        let rc: Int32 = server.url.withCString { url in
            "<\(MailAddress.asciiDomain(envelopeFrom))>".withCString { from in
                withOptionalCString(server.user) { user in
                    withOptionalCString(server.password) { password in
                        withOptionalCString(server.caFile) { ca in
                            rcpt.map { UnsafePointer($0) }.withUnsafeBufferPointer { list in
                                data.withUnsafeBufferPointer { bytes in
                                    bytes.withMemoryRebound(to: CChar.self) { chars in
                                        var r = oe_smtp_request()
                                        r.url = url
                                        r.starttls = server.starttls == "off" ? Int32(OE_SMTP_TLS_OFF)
                                            : server.starttls == "optional" ? Int32(OE_SMTP_TLS_OPTIONAL) : Int32(OE_SMTP_TLS_REQUIRED)
                                        r.user = user
                                        r.password = password
                                        r.ca_file = ca
                                        r.mail_from = from
                                        r.recipients = list.baseAddress
                                        r.recipient_count = list.count
                                        r.data = chars.baseAddress
                                        r.data_length = chars.count
                                        r.timeout_ms = server.timeoutMilliseconds
                                        return oe_smtp_send(session, &r, &result)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let reply = withUnsafeBytes(of: &result.server_reply) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let error = withUnsafeBytes(of: &result.error) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if rc == 0 { return .accepted(reply: reply) }
        let code = result.response_code
        if code >= 500 && code < 600 && result.smtputf8_offered == 0,
           let address = ([envelopeFrom] + recipients).first(where: MailAddress.needsSMTPUTF8) {
            return .permanent(reply: "the mail server does not offer SMTPUTF8 (RFC 6531), which the address \(address) needs "
                + "(letters outside ASCII before the @); the server answered: \(reply.isEmpty ? "\(code) \(error)" : reply)")
        }
        if code >= 500 && code < 600 { return .permanent(reply: reply.isEmpty ? "\(code) \(error)" : reply) }
        if code >= 400 && code < 500 { return .transient(reason: reply.isEmpty ? "\(code) \(error)" : reply) }
        return .transient(reason: error.isEmpty ? "SMTP transfer failed (code \(result.curl_code))" : error)
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
