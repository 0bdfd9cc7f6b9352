import OrderCore
import OrderStore

/// Issues invoices and credit notes: draws the number in the current transaction (gapless),
/// fills the § 58 fields from the order and the seller settings, stores the document, and
/// records the timeline event and hook event.
enum DocumentIssuer {
    /// Refuses issuing an invoice until the seller's name, address and CVR/VAT number are set:
    /// a `policy` error naming the missing `seller` fields.
    static func requireSeller(_ ctx: CommandContext, order: Int64) throws {
        let missing = ctx.settings.seller.missingFields
        guard missing.isEmpty else {
            throw OrderError.policy("no invoice for order \(order) until the seller is set (momsbekendtgørelsen § 58): missing or invalid \(missing.joined(separator: ", ")); set them with settings.set {\"seller\": {\"name\", \"address\", \"vat_number\"}}")
        }
    }

    /// The buyer as an invoice of `a` names them: billing name and address (delivery address
    /// when there is no billing address).
    static func buyer(_ a: OrderAggregate) -> (name: String, address: String?) {
        let c = a.order.customer
        return (c.billingAddress?.name ?? c.name, (c.billingAddress ?? c.deliveryAddress)?.singleLine)
    }

    /// Every check an invoice of `total` on `a` must pass before money moves or a number is
    /// drawn: the seller is set, the order is not cancelled, and the buyer's details suffice
    /// for the invoice's size (`InvoiceForm`). Returns the form.
    @discardableResult
    static func checkInvoice(total: Int64, on a: OrderAggregate, ctx: CommandContext, exchangeRate: ExchangeRate? = nil) throws -> InvoiceForm {
        let n = a.order.number
        if a.order.status == "cancelled" { throw OrderError.policy("order \(n) is cancelled; no invoice may be issued") }
        try requireSeller(ctx, order: n)
        // The VAT is at most the total: when the total converts to DKK within Int64, so does the VAT.
        if let rate = try self.exchangeRate(for: a, given: exchangeRate, ctx: ctx), rate.checkedDKK(total, from: a.order.currency) == nil {
            throw OrderError.invalid("exchange_rate", "\(a.order.currency.format(total)) at \(rate) DKK per \(a.order.currency.code) does not fit in an amount in DKK; check the rate")
        }
        let b = buyer(a)
        return try InvoiceForm.decide(total: total, currency: a.order.currency, buyerName: b.name, buyerAddress: b.address, order: n)
    }

    /// The exchange rate an invoice of `a` states its VAT in DKK at (VAT Directive art. 230):
    /// nil for a DKK order; else `given` (the command's `exchange_rate`), or the setting
    /// `exchange_rates` for the order's currency; a `policy` error naming `exchange_rate` when
    /// there is none.
    static func exchangeRate(for a: OrderAggregate, given: ExchangeRate?, ctx: CommandContext) throws -> ExchangeRate? {
        let cur = a.order.currency
        guard cur.code != "DKK" else { return nil }
        if let r = given ?? ctx.settings.exchangeRates[cur.code] { return r }
        throw OrderError(.policy, "exchange_rate: order \(a.order.number) is in \(cur.code); its invoice must state the VAT in DKK (momsbekendtgørelsen § 58, VAT Directive art. 230): pass \"exchange_rate\" (DKK per 1 \(cur.code), a decimal string such as \"7.4604\") or set settings exchange_rates.\(cur.code)", field: "exchange_rate")
    }

    /// Refuses an `exchange_rate` passed for a DKK order (`invalid`): nothing to convert.
    static func refuseRateForDKK(_ rate: ExchangeRate?, _ a: OrderAggregate) throws {
        if rate != nil && a.order.currency.code == "DKK" {
            throw OrderError.invalid("exchange_rate", "order \(a.order.number) is in DKK; an exchange rate applies to orders in other currencies only")
        }
    }

    /// Issues the invoice `plan` describes (`CapturePlan.plan`): goods deducting on-account
    /// invoices, or an on-account invoice; `exchangeRate` as for the other `issue`.
    static func issue(_ plan: CapturePlan.Issue, on a: inout OrderAggregate, ctx: CommandContext,
                      exchangeRate given: ExchangeRate? = nil) throws -> InvoiceDocument {
        switch plan {
        case .goods(let lines, let deductions): try issue(.invoice, lines: lines, on: &a, ctx: ctx, deductions: deductions, exchangeRate: given)
        case .onAccount(let lines): try issue(.invoice, lines: lines, on: &a, ctx: ctx, onAccount: true, exchangeRate: given)
        }
    }

    static func issue(_ kind: DocumentKind, lines: [InvoiceLine], on a: inout OrderAggregate, ctx: CommandContext,
                      creditsInvoice: Int64? = nil, reason: String? = nil, refunded: Int64 = 0,
                      onAccount: Bool = false, deductions: [OnAccountDeduction] = [],
                      exchangeRate given: ExchangeRate? = nil) throws -> InvoiceDocument {
        let series: NumberSeries = kind == .invoice ? .invoice : .credit_note
        let o = a.order
        let (buyerName, buyerAddress) = buyer(a)
        // Checks first, so a refusal never uses up a number. A credit note takes its invoice's form.
        let form: InvoiceForm
        if kind == .invoice {
            form = try checkInvoice(total: lines.reduce(0) { $0 + $1.gross }, on: a, ctx: ctx, exchangeRate: given)
        } else {
            try requireSeller(ctx, order: o.number)
            form = a.invoices.first { $0.number == creditsInvoice }?.form ?? .full
        }
        let credited = kind == .credit_note ? a.invoices.first { $0.number == creditsInvoice } : nil
        // OSS: the invoice carries the order's VAT country, a credit note its invoice's.
        let vatCountry = kind == .invoice ? o.vatCountry : credited?.vatCountry
        let rate = kind == .invoice ? try exchangeRate(for: a, given: given, ctx: ctx) : credited?.exchangeRate
        var docLines = lines
        if let vatCountry { for i in docLines.indices { docLines[i].vatCountry = vatCountry } }
        let number = try ctx.session.drawNumber(series)
        let postal = o.customer.billingAddress ?? o.customer.deliveryAddress
        // What of this invoice is already paid: the captured money not taken by earlier invoices.
        let linesTotal: Int64 = lines.reduce(0) { $0 + $1.gross }
        let deducted: Int64 = deductions.reduce(0) { $0 + $1.gross }
        let paid: Int64? = kind == .invoice ? min(linesTotal - deducted, max(0, a.payments.captured - a.invoicedTotal)) : nil
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
        var doc = InvoiceDocument(
            kind: kind, number: number, reference: NumberSeries.format(number, prefix: ctx.settings.prefix(series)),
            order: o.number, orderReference: o.reference, issuedAt: ctx.now, issueDate: issueDate, deliveryDate: kind == .invoice ? deliveryDate : nil,
            seller: ctx.settings.seller, buyerName: buyerName, buyerAddress: buyerAddress,
            currency: o.currency, lines: docLines, creditsInvoice: creditsInvoice, reason: reason, refunded: refunded,
            fixedVAT: fixedVAT,
            buyerPostalAddress: postal, buyerEmail: o.customer.email, paid: paid, paymentMethod: a.payments.rows.last { $0.kind == .authorize }?.method)
        doc.form = form
        doc.onAccount = onAccount
        doc.deductions = deductions
        doc.buyerCompany = o.customer.company
        doc.buyerVATNumber = o.customer.vatNumber
        if o.reverseCharge {
            doc.vatTreatment = "reverse_charge"
            doc.vatNote = VATNote.text(treatment: "reverse_charge", country: nil, language: o.customer.language)
        }
        if let vatCountry {
            doc.vatTreatment = "oss"
            doc.vatCountry = vatCountry
            doc.vatNote = VATNote.text(treatment: "oss", country: vatCountry, language: o.customer.language)
        }
        if let rate {
            doc.exchangeRate = rate
            doc.totalVATDKK = kind == .invoice
                ? rate.dkk(doc.breakdown.vat, from: doc.currency)
                : credited.flatMap { CreditRule.vatDKK(doc.breakdown.vat, invoice: $0, documents: a.documents) }
        }
        try ctx.session.insertDocument(doc)
        a.documents.append(doc)
        ctx.remember(a)
        let event = kind == .invoice ? "invoice.created" : "credit_note.created"
        var detail: JSONObject = ["number": .int(number), "reference": .string(doc.reference)]
        if onAccount { detail["on_account"] = true }
        if !deductions.isEmpty { detail["deducts"] = .array(Array(Set(deductions.map(\.invoice))).sorted().map { .int($0) }) }
        if let creditsInvoice { detail["credits_invoice"] = .int(creditsInvoice) }
        try ctx.record(order: o.number, event: event, amount: doc.total, detail: .object(detail))
        ctx.emit(EngineEvent(name: event, order: o.number, amount: doc.total, detail: .object(detail)))
        if ctx.settings.mail.sendInvoices { _ = try InvoiceMail.queue(doc, order: o, to: nil, ctx: ctx) }
        return doc
    }
}
