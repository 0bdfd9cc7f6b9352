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
        // Every parcel's tracking number, not only the last one's: a customer with two parcels
        // must be able to follow both.
        let tracked = a.shipments.filter { $0.tracking != nil }
        if !tracked.isEmpty {
            values["tracking"] = StatusMail.list(tracked.compactMap(\.tracking), lang)
            let carriers = tracked.compactMap(\.carrier).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if !carriers.isEmpty { values["carrier"] = StatusMail.list(carriers, lang) }
        }
        if let location { values["location"] = location }
        // What the card still holds, said at the time the mail is written: a cancellation's void
        // goes to the gateway only after the commit and may be declined, so the mail must not
        // claim the reservation was released — it says it was asked for, and when it lapses anyway.
        let held = a.payments.capturable(at: ctx.now)
        if held > 0 {
            values["reservation"] = o.currency.format(held, for: lang)
            if let lapse = a.payments.validAuthorizations(at: ctx.now).compactMap(\.expiresAt).max() {
                values["reservation_expires"] = StatusMail.date(ctx.settings.timeZone.date(lapse), lang)
            }
        }
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

extension StatusMail {
    /// `["a", "b", "c"]` as a customer reads it: "a, b og c" / "a, b and c".
    static func list(_ items: [String], _ lang: Language) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + (lang == .da ? " og " : " and ") + items.last!
    }

    /// A `YYYY-MM-DD` date as a customer reads it: "30.11.2026" / "30 November 2026".
    static func date(_ iso: String, _ lang: Language) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let m = Int(parts[1]), (1...12).contains(m), let d = Int(parts[2]) else { return iso }
        if lang == .da { return "\(d).\(m).\(parts[0])" }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(d) \(months[m - 1]) \(parts[0])"
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
