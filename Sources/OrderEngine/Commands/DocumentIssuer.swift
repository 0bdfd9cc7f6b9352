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
        let buyerAddress = (o.customer.billingAddress ?? o.customer.deliveryAddress)?.singleLine
        let handedOver = a.shipments.compactMap(\.handedOverAt).max()
        // Dates as a Danish bookkeeper reads them: in the shop's time zone (setting time_zone).
        let zone = ctx.settings.timeZone
        let issueDate = zone.date(ctx.now)
        let deliveryDate = handedOver.map { zone.date($0) }.flatMap { $0 == issueDate ? nil : $0 }
        // A credit note's VAT per rate follows the credit rule (credits add up to the invoice's VAT).
        let fixedVAT = kind == .credit_note
            ? a.invoices.first { $0.number == creditsInvoice }.map { inv in
                CreditRule.vat(of: InvoicePlanner.grossByRate(lines), balances: CreditRule.balances(of: inv, documents: a.documents))
            }
            : nil
        let doc = InvoiceDocument(
            kind: kind, number: number, reference: NumberSeries.format(number, prefix: ctx.settings.prefix(series)),
            order: o.number, orderReference: o.reference, issuedAt: ctx.now, issueDate: issueDate, deliveryDate: kind == .invoice ? deliveryDate : nil,
            seller: ctx.settings.seller, buyerName: o.customer.billingAddress?.name ?? o.customer.name, buyerAddress: buyerAddress,
            currency: o.currency, lines: lines, creditsInvoice: creditsInvoice, reason: reason, refunded: refunded,
            fixedVAT: fixedVAT)
        try ctx.session.insertDocument(doc)
        a.documents.append(doc)
        ctx.remember(a)
        let event = kind == .invoice ? "invoice.created" : "credit_note.created"
        var detail: JSONObject = ["number": .int(number), "reference": .string(doc.reference)]
        if let creditsInvoice { detail["credits_invoice"] = .int(creditsInvoice) }
        try ctx.record(order: o.number, event: event, amount: doc.total, detail: .object(detail))
        ctx.emit(EngineEvent(name: event, order: o.number, amount: doc.total, detail: .object(detail)))
        return doc
    }
}
