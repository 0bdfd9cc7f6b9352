import Mustache
import OrderCore
import OrderStore
import Synchronization

/// Compiled templates by their text as the merchant wrote it (templates change only with
/// status.define).
private let compiledTemplates = Locked<[String: MustacheTemplate]>([:])

/// The values of one e-mail as swift-mustache's renderer wants them: a parent it asks by name
/// and texts it takes as they are. A `[String: String]` costs several failed protocol casts
/// and a `String(describing:)` per variable, and rendering was a sixth of a mass update.
private struct MailValues: MustacheParent {
    var values: [String: MailText]
    func child(named name: String) -> Any? { values[name] }
}

private struct MailText: MustacheCustomRenderable {
    let renderText: String
    var isNull: Bool { false }
}

/// Renders and queues the status e-mail of an order entering a status: to the customer in
/// their language, and a copy to the shop's copy address when one is set.
enum StatusMail {
    /// Checks that a template compiles; throws `invalid` naming `field` otherwise.
    static func validate(_ text: String, field: String) throws {
        do { _ = try MustacheTemplate(string: text) } catch {
            throw OrderError.invalid(field, "not a valid Mustache template: \(error)")
        }
    }

    /// Renders as plain text: `{{x}}` is not HTML-escaped (the pragma switches swift-mustache's
    /// default HTML escaping off), so "Jensen & Co" stays as written.
    static func render(_ text: String, _ values: [String: String]) throws -> String {
        let template: MustacheTemplate
        if let t = compiledTemplates.withLock({ $0[text] }) {
            template = t
        } else {
            do {
                template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            } catch {
                throw OrderError(.invalid, "status e-mail template failed to compile: \(error)")
            }
            compiledTemplates.withLock { if $0.count < 1000 { $0[text] = template } }
        }
        return template.render(MailValues(values: values.mapValues { MailText(renderText: $0) }))
    }

    /// Queues the mail if the order's `notify` is on and the status has a template. Returns the
    /// outbox ids queued (customer first).
    static func queue(for a: OrderAggregate, status: StatusDefinition, ctx: CommandContext) throws -> [Int64] {
        let o = a.order
        guard o.notify else { return [] }
        let lang = o.customer.language
        guard let template = status.email[lang] ?? status.email[.en] ?? status.email[.da] else { return [] }
        let last = a.shipments.last
        let location: String? = if case .pickup(let l) = o.delivery { l } else { last?.location }
        var values: [String: String] = [
            "customer_name": o.customer.name, "order": o.reference, "status": status.label(lang),
            "total": o.currency.format(o.total, for: lang), "shop_name": ctx.settings.shopName,
        ]
        if let t = last?.tracking { values["tracking"] = t }
        if let c = last?.carrier { values["carrier"] = c }
        if let location { values["location"] = location }
        let subject = try render(template.subject, values)
        let body = try render(template.body, values)
        var ids: [Int64] = []
        ids.append(try ctx.session.enqueue(OutboxMessage(order: o.number, recipient: o.customer.email, subject: subject, body: body,
                                                         language: lang, createdAt: ctx.now)))
        if let copy = ctx.settings.mailCopyTo {
            ids.append(try ctx.session.enqueue(OutboxMessage(order: o.number, recipient: copy, subject: subject, body: body,
                                                             language: lang, createdAt: ctx.now)))
        }
        try ctx.record(order: o.number, event: "mail.queued", detail: ["to": .string(o.customer.email), "subject": .string(subject),
                                                                      "outbox": .array(ids.map { .int($0) })])
        return ids
    }
}
