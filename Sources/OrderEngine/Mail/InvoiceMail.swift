import OrderCore
import OrderStore

/// "Send faktura": `invoice.send {"number", "kind"?, "to"?}` queues an e-mail to the customer
/// (or `to`) with the document's PDF attached (rendered when the mail worker sends it, in the
/// customer's language). With `mail.send_invoices` on, every issued invoice and credit note
/// is queued this way in the transaction that issues it.
enum InvoiceMail {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("invoice.send", .write, "queue the invoice or credit note e-mail with its PDF attached", run: send))
    }

    static func send(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let doc = try DocumentCommands.document(ctx, p)
        let to = try p.string("to", maxLength: 254)
        try p.finish()
        if let to, !Customer.looksLikeEmail(to) { throw OrderError.invalid("to", "'\(to)' is not an e-mail address") }
        let a = try ctx.aggregate(doc.order)
        let id = try queue(doc, order: a.order, to: to, ctx: ctx)
        return ["id": .int(id), "to": .string(to ?? a.order.customer.email), "reference": .string(doc.reference)]
    }

    /// Queues the document's e-mail; records `mail.queued` on the order. Returns the outbox id.
    static func queue(_ doc: InvoiceDocument, order o: Order, to: String?, ctx: CommandContext) throws -> Int64 {
        let lang = o.customer.language
        let recipient = to ?? o.customer.email
        let shop = ctx.settings.shopName
        let total = doc.currency.format(doc.total, for: lang)
        let (subject, body): (String, String)
        switch (doc.kind, lang) {
        case (.invoice, .da):
            // An on-account invoice is named as such (Acontofaktura), in the subject and the text.
            let title = doc.title(.da)
            (subject, body) = ("\(title) \(doc.reference) fra \(shop)",
                               "Kære \(o.customer.name)\n\nHer er \(title.lowercased()) \(doc.reference) for din ordre \(o.reference) på \(total). Fakturaen er vedhæftet som PDF.\n\nVenlig hilsen\n\(shop)\n")
        case (.invoice, .en):
            let title = doc.title(.en)
            (subject, body) = ("\(title) \(doc.reference) from \(shop)",
                               "Dear \(o.customer.name)\n\nHere is \(doc.onAccount ? "the on-account invoice" : "invoice") \(doc.reference) for your order \(o.reference), \(total). The invoice is attached as a PDF.\n\nKind regards,\n\(shop)\n")
        case (.credit_note, .da):
            (subject, body) = ("Kreditnota \(doc.reference) fra \(shop)",
                               "Kære \(o.customer.name)\n\nHer er kreditnota \(doc.reference) for din ordre \(o.reference) på \(total). Kreditnotaen er vedhæftet som PDF.\n\nVenlig hilsen\n\(shop)\n")
        case (.credit_note, .en):
            (subject, body) = ("Credit note \(doc.reference) from \(shop)",
                               "Dear \(o.customer.name)\n\nHere is credit note \(doc.reference) for your order \(o.reference), \(total). The credit note is attached as a PDF.\n\nKind regards,\n\(shop)\n")
        }
        var m = OutboxMessage(order: o.number, recipient: recipient, subject: subject, body: body, language: lang, createdAt: ctx.now)
        m.attachment = ["kind": .string(doc.kind.rawValue), "number": .int(doc.number), "format": "pdf"]
        let id = try ctx.session.enqueue(m)
        try ctx.record(order: o.number, event: "mail.queued", detail: ["to": .string(recipient), "subject": .string(subject),
                                                                      "outbox": [.int(id)], "document": .string(doc.reference)])
        return id
    }
}
