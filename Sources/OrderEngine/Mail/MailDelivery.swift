import OrderCore
import OrderDocuments
import OrderMail
import OrderStore
#if canImport(Glibc)
import Glibc
#endif

/// Delivers the outbox **outside** every command transaction (`outbox.deliver`, `oe mail-worker`):
/// claims a batch of due messages in one short write transaction, builds each message (MIME,
/// the invoice PDF attached, DKIM-signed), sends them through SMTP (`mail.smtp_url`) or else
/// the `Mailer` port (which gets the finished message in `mime`), and records the outcomes in
/// a second transaction. So a slow mail server never holds the write lock.
///
/// - 2xx: `sent`. 4xx, network errors, a broken DKIM key or a failing port: the message stays
///   `pending` with `attempts`, `last_error` and `next_attempt_at` (30 s, doubling, at most 6 h;
///   `failed` after 15 attempts). 5xx: `failed` with the server's reply, and an order timeline
///   event `mail.failed`.
/// - A claim is a lease (`lease` seconds): several workers never hold one message at once;
///   after a crash the batch becomes due again when the lease ends and is re-sent with the same
///   Message-ID (fixed at the first claim), so receivers can recognise the duplicate.
public struct MailDelivery: Sendable {
    public let engine: Engine

    public init(engine: Engine) { self.engine = engine }

    /// What one run did.
    public struct Report: Sendable {
        public var sent: [Int64] = []
        public var retrying: [Int64] = []
        public var failed: [Int64] = []
        public var errors: [(Int64, String)] = []

        public var json: JSON {
            ["sent": .array(sent.map { .int($0) }), "retrying": .array(retrying.map { .int($0) }),
             "failed": .array(failed.map { .int($0) }),
             "errors": .array(errors.map { ["id": .int($0.0), "error": .string($0.1)] })]
        }
    }

    static let maxAttempts: Int64 = 15

    /// Claims up to `limit` due messages, delivers them and records the outcomes; a transient
    /// failure is retried `backoff` seconds later, doubling with each attempt (at most 6 h).
    public func runOnce(limit: Int = 100, lease: Int64 = 120, backoff: Int64 = 30) throws(OrderError) -> Report {
        let token = MailDelivery.newToken()
        let (batch, settings, now) = try claim(limit: limit, lease: lease, token: token)
        var report = Report()
        guard !batch.isEmpty else { return report }
        var outcomes: [(OutboxMessage, SMTPOutcome)] = []
        do {
            let transport = try Transport(settings: settings, mailer: engine.configuration.mailer)
            let signer = try MailDelivery.signer(settings.mail)
            for m in batch {
                do {
                    var bytes = try build(m, settings: settings)
                    if let signer { bytes = try signer.sign(bytes, time: now) }
                    outcomes.append((m, transport.send(m, bytes, settings: settings)))
                } catch {
                    outcomes.append((m, .transient(reason: "\(error)")))
                }
            }
        } catch {
            outcomes = batch.map { ($0, .transient(reason: "\(error)")) }
        }
        try record(outcomes, token: token, backoff: max(1, backoff), report: &report)
        return report
    }

    private func claim(limit: Int, lease: Int64, token: String) throws(OrderError) -> ([OutboxMessage], ShopSettings, Timestamp) {
        do {
            return try engine.storage.write { s in
                let ctx = try engine.context(s, actor: "mail-worker", isWrite: true)
                let domain = ctx.settings.mail.fromDomain ?? "orderengine.invalid"
                let batch = try s.claimOutbox(limit: limit, now: ctx.now, lease: lease, token: token) { id, created in
                    "outbox-\(id).\(created.seconds)@\(domain)"
                }
                return (batch, ctx.settings, ctx.now)
            }
        } catch let e as OrderError { throw e } catch { throw OrderError(.storage, "outbox claim: \(error)") }
    }

    private func record(_ outcomes: [(OutboxMessage, SMTPOutcome)], token: String, backoff: Int64, report: inout Report) throws(OrderError) {
        do {
            report = try engine.storage.write { s in
                let ctx = try engine.context(s, actor: "mail-worker", isWrite: true)
                var r = Report()
                for (m, outcome) in outcomes {
                    switch outcome {
                    case .accepted:
                        if try s.recordSent(m.id, token: token, at: ctx.now) { r.sent.append(m.id) }
                    case .transient(let reason):
                        if m.attempts + 1 >= MailDelivery.maxAttempts {
                            let why = "gave up after \(m.attempts + 1) attempts: \(reason)"
                            if try s.recordFailure(m.id, token: token, error: why, retryAt: nil) {
                                r.failed.append(m.id)
                                r.errors.append((m.id, why))
                                try timeline(m, why, ctx)
                            }
                        } else {
                            let delay = min(backoff << min(m.attempts, 20), 21_600)
                            if try s.recordFailure(m.id, token: token, error: reason, retryAt: ctx.now.adding(seconds: delay)) {
                                r.retrying.append(m.id)
                                r.errors.append((m.id, reason))
                            }
                        }
                    case .permanent(let reply):
                        if try s.recordFailure(m.id, token: token, error: reply, retryAt: nil) {
                            r.failed.append(m.id)
                            r.errors.append((m.id, reply))
                            try timeline(m, reply, ctx)
                        }
                    }
                }
                return r
            }
        } catch let e as OrderError { throw e } catch { throw OrderError(.storage, "outbox outcome: \(error)") }
    }

    private func timeline(_ m: OutboxMessage, _ error: String, _ ctx: CommandContext) throws {
        guard let order = m.order, try ctx.session.orderExists(order) else { return }
        try ctx.record(order: order, event: "mail.failed",
                       detail: ["outbox": .int(m.id), "to": .string(m.recipient), "subject": .string(m.subject), "error": .string(error)])
    }

    /// The finished message of `m`: From/Reply-To from the settings, text and HTML bodies, the
    /// document attached when the row names one.
    func build(_ m: OutboxMessage, settings: ShopSettings) throws -> [UInt8] {
        let from = settings.mail.from ?? "\(settings.shopName) <\(settings.mailCopyTo ?? "postmaster@orderengine.invalid")>"
        var html = StatusMailHTML.render(m.body, language: m.language)
        var attachments: [MailMessage.Attachment] = []
        if let a = m.attachment, let kind = a["kind"]?.stringValue.flatMap(DocumentKind.init(rawValue:)), let number = a["number"]?.intValue {
            let (pdf, page, reference) = try engine.storage.read { s in
                let ctx = try engine.context(s, actor: "mail-worker", isWrite: false)
                guard let doc = try s.document(kind, number) else { throw OrderError.notFound("document \(kind.rawValue) \(number) does not exist") }
                let input = try DocumentCommands.input(doc, language: m.language, ctx: ctx)
                let pdf = try PDFRenderer.render(DocumentLayout(input))
                return (pdf, HTMLRenderer.render(DocumentLayout(input)), doc.reference)
            }
            attachments.append(.init(filename: "\(reference).pdf", mimeType: "application/pdf", bytes: pdf))
            html = page
        }
        // The domain as IDNA A-labels (kåffe.dk → xn--kffe-qoa.dk), as the envelope has it.
        let message = MailMessage(from: from, to: MailAddress.asciiDomain(m.recipient), replyTo: settings.mail.replyTo, subject: m.subject, text: m.body,
                                  html: html, attachments: attachments, messageID: m.messageID ?? "outbox-\(m.id)@orderengine.invalid",
                                  date: m.createdAt, extraHeaders: [("Auto-Submitted", "auto-generated")])
        return MIMEBuilder.build(message)
    }

    /// The DKIM signer of the settings, or nil when DKIM is not configured. Throws a clear
    /// error when the key file cannot be read or is not a key.
    static func signer(_ mail: MailSettings) throws -> DKIMSigner? {
        guard let d = mail.dkim else { return nil }
        let key = try loadKey(d.keyFile)
        guard key.algorithm == d.algorithm else {
            throw OrderError.invalid("mail.dkim.key_file", "\(d.keyFile) holds an \(key.algorithm) key but mail.dkim.algorithm is \(d.algorithm)")
        }
        return DKIMSigner(domain: d.domain, selector: d.selector, key: key)
    }

    static func loadKey(_ path: String) throws -> DKIMKey {
        let bytes = try LocalFile.read(path, field: "mail.dkim.key_file", maxBytes: 64 << 10)
        do { return try DKIMKey(pem: String(decoding: bytes, as: UTF8.self)) } catch {
            throw OrderError.invalid("mail.dkim.key_file", "\(path): \(error)")
        }
    }

    static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        return String(g.next(), radix: 36) + String(g.next(), radix: 36)
    }
}

/// How messages leave: SMTP when `mail.smtp_url` is set, else the `Mailer` port.
private struct Transport {
    let smtp: (SMTPClient, SMTPServer)?
    let mailer: any Mailer

    init(settings: ShopSettings, mailer: any Mailer) throws {
        self.mailer = mailer
        guard let url = settings.mail.smtpURL else {
            smtp = nil
            return
        }
        guard let parsed = SMTPURL(url) else { throw OrderError.invalid("mail.smtp_url", "'\(url)' is not smtp:// or smtps://") }
        guard settings.mail.from != nil else { throw OrderError.invalid("mail.from", "is required to send through SMTP") }
        var password: String?
        if let env = settings.mail.smtpPasswordEnv {
            guard let p = getenv(env) else { throw OrderError.invalid("mail.smtp_password_env", "the environment variable \(env) is not set") }
            password = String(cString: p)
        }
        smtp = (SMTPClient(), SMTPServer(url: parsed.curlURL, starttls: parsed.implicitTLS ? "off" : settings.mail.starttls,
                                         user: settings.mail.smtpUser, password: password, caFile: settings.mail.caFile))
    }

    func send(_ m: OutboxMessage, _ bytes: [UInt8], settings: ShopSettings) -> SMTPOutcome {
        if let (client, server) = smtp {
            let from = settings.mail.fromAddress ?? ""
            return client.send(bytes, from: from, to: [m.recipient], via: server)
        }
        var withMIME = m
        withMIME.mime = String(decoding: bytes, as: UTF8.self)
        do {
            try mailer.send(withMIME)
            return .accepted(reply: "")
        } catch {
            return .transient(reason: "message \(m.id) to \(m.recipient): \(error)")
        }
    }
}

/// The HTML alternative of a plain-text status mail: the text, escaped, in paragraphs.
enum StatusMailHTML {
    static func render(_ text: String, language: Language) -> String {
        let paragraphs = text.split(separator: "\n\n", omittingEmptySubsequences: true).map { p in
            "<p>" + HTMLRenderer.escape(String(p)).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "<br>") + "</p>"
        }
        return "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head><meta charset=\"utf-8\"></head>\n"
            + "<body style=\"font-family: Arial, sans-serif; font-size: 14px;\">\n" + paragraphs.joined(separator: "\n") + "\n</body>\n</html>\n"
    }
}
