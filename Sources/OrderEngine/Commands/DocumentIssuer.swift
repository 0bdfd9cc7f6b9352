import OrderCore
import OrderStore

/// Issues invoices and credit notes: draws the number in the current transaction (gapless),
/// fills the § 58 fields from the order and the seller settings, stores the document, and
/// records the timeline event and hook event.
enum DocumentIssuer {
    static func issue(_ kind: DocumentKind, lines: [InvoiceLine], on a: inout OrderAggregate, ctx: CommandContext,
                      creditsInvoice: Int64? = nil, reason: String? = nil, refunded: Int64 = 0) throws -> InvoiceDocument {
        let series: NumberSeries = kind == .invoice ? .invoice : .credit_note
        let number = try ctx.session.drawNumber(series)
        let o = a.order
        let postal = o.customer.billingAddress ?? o.customer.deliveryAddress
        let buyerAddress = postal?.singleLine
        // What of this invoice is already paid: the captured money not taken by earlier invoices.
        let paid: Int64? = kind == .invoice
            ? min(lines.reduce(0) { $0 + $1.gross }, max(0, a.payments.captured - a.invoicedTotal)) : nil
        let handedOver = a.shipments.compactMap(\.handedOverAt).max()
        let deliveryDate = handedOver.map(\.date).flatMap { $0 == ctx.now.date ? nil : $0 }
        let doc = InvoiceDocument(
            kind: kind, number: number, reference: NumberSeries.format(number, prefix: ctx.settings.prefix(series)),
            order: o.number, orderReference: o.reference, issuedAt: ctx.now, deliveryDate: kind == .invoice ? deliveryDate : nil,
            seller: ctx.settings.seller, buyerName: o.customer.billingAddress?.name ?? o.customer.name, buyerAddress: buyerAddress,
            currency: o.currency, lines: lines, creditsInvoice: creditsInvoice, reason: reason, refunded: refunded,
            buyerPostalAddress: postal, buyerEmail: o.customer.email, paid: paid, paymentMethod: a.payments.rows.last { $0.kind == .authorize }?.method)
        try ctx.session.insertDocument(doc)
        a.documents.append(doc)
        ctx.remember(a)
        let event = kind == .invoice ? "invoice.created" : "credit_note.created"
        var detail: JSONObject = ["number": .int(number), "reference": .string(doc.reference)]
        if let creditsInvoice { detail["credits_invoice"] = .int(creditsInvoice) }
        try ctx.record(order: o.number, event: event, amount: doc.total, detail: .object(detail))
        ctx.emit(EngineEvent(name: event, order: o.number, amount: doc.total, detail: .object(detail)))
        if ctx.settings.mail.sendInvoices { _ = try InvoiceMail.queue(doc, order: o, to: nil, ctx: ctx) }
        return doc
    }
}
