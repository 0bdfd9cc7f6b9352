import OrderCore
import OrderStore

/// Renders and queues the status e-mail of an order entering a status: to the customer in
/// their language, and a copy to the shop's copy address when one is set.
enum StatusMail {
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
        // "487,00 kr." ends a sentence by itself: no second full stop after it.
        let subject = try MailTemplates.render(template.subject, values).replacingAll("kr..", with: "kr.")
        let body = try MailTemplates.render(template.body, values).replacingAll("kr..", with: "kr.")
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

extension String {
    /// Every occurrence of `target` replaced by `replacement` (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
