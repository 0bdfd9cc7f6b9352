import OrderCore
import OrderStore

/// `outbox.list`, `outbox.ack`, `outbox.deliver`.
enum OutboxCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("outbox.list", .read, "e-mails and other effects waiting for delivery (or sent)", run: list))
        r.register(Command("outbox.ack", .write, "mark messages delivered (by a host that sends them itself)", run: ack))
        r.register(Command("outbox.queue", .write, "queue a message to the shop (default: the copy address) or another recipient", run: queue))
        r.register(Command("outbox.deliver", "send due messages (SMTP, or the Mailer port) outside any write transaction; record sent, retrying, failed", orchestrate: deliver))
    }

    static func list(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let status = try p.choice("state", ["pending", "sent", "failed", "all"]) ?? p.choice("status", ["pending", "sent", "failed", "all"]) ?? "pending"
        let order = try p.int("order", in: 1...Int64.max)
        let after = try p.int("after", in: 0...Int64.max) ?? 0
        let limit = try p.int("limit", in: 1...1000) ?? 100
        try p.finish()
        let msgs = try ctx.session.outbox(status: status == "all" ? nil : status, order: order, after: after, limit: Int(limit))
        return ["messages": .array(msgs.map(\.json)), "pending": .int(try ctx.session.outboxCount(status: "pending"))]
    }

    static func ack(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        guard let raw = try p.array("ids", maxCount: 10_000) else { throw OrderError.invalid("ids", "is required") }
        let ids = try raw.enumerated().map { k, v throws(OrderError) in
            guard let i = v.intValue, i > 0 else { throw OrderError.invalid("ids[\(k)]", "expected an outbox message id") }
            return i
        }
        try p.finish()
        let acked = try ctx.session.ackOutbox(ids, at: ctx.now)
        return ["acked": .array(acked.map { .int($0) }), "pending": .int(try ctx.session.outboxCount(status: "pending"))]
    }

    static func queue(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let to = try p.string("to", maxLength: 254) ?? ctx.settings.mailCopyTo
        let subject = try p.requiredString("subject", maxLength: 300)
        let body = try p.requiredString("body", maxLength: 20_000)
        let order = try p.int("order", in: 1...Int64.max)
        let lang = Language(rawValue: try p.choice("language", Language.allCases.map(\.rawValue)) ?? "da")!
        try p.finish()
        guard let to else { throw OrderError.invalid("to", "no recipient: pass to, or set mail_copy_to in settings") }
        guard Customer.looksLikeEmail(to) else { throw OrderError.invalid("to", "'\(to)' is not an e-mail address") }
        if let order, !(try ctx.session.orderExists(order)) { throw OrderError.notFound("order \(order) does not exist") }
        let id = try ctx.session.enqueue(OutboxMessage(order: order, recipient: to, subject: subject, body: body, language: lang, createdAt: ctx.now))
        if let order { try ctx.record(order: order, event: "mail.queued", detail: ["to": .string(to), "subject": .string(subject), "outbox": [.int(id)]]) }
        return ["id": .int(id), "to": .string(to)]
    }

    /// `{"limit"?}` → `{"sent", "retrying", "failed", "errors", "pending"}` (see `MailDelivery`).
    static func deliver(_ engine: Engine, _ params: JSON, _ actor: String) throws -> JSON {
        let p = try ParamReader(params)
        let limit = try p.int("limit", in: 1...10_000) ?? 100
        try p.finish()
        let report = try MailDelivery(engine: engine).runOnce(limit: Int(limit))
        guard case .object(var o) = report.json else { return report.json }
        o["pending"] = try engine.call("outbox.list", ["limit": 1], actor: actor)["pending"] ?? 0
        return .object(o)
    }
}
