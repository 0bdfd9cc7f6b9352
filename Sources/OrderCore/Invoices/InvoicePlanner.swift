/// Decides what an invoice or credit note contains. Pure rules; the engine draws the number
/// and stores the document.
public enum InvoicePlanner {
    /// The lines an invoice for captured goods should carry: units that the capture policy has
    /// released (handed over, shipped, or prepayable) and that no invoice covers yet, taken line
    /// by line in order while their value fits in the captured money not yet invoiced.
    ///
    /// A partial capture that is not a whole number of units leaves the remainder for the next
    /// invoice. Returns an empty list when nothing fits.
    public static func linesForCapturedGoods(_ a: OrderAggregate, policy: CapturePolicy) -> [InvoiceLine] {
        var budget = a.payments.captured - a.invoicedTotal
        guard budget > 0 else { return [] }
        let invoiced = a.invoicedQuantities
        let releasedUnits: [String: Int64]
        switch policy {
        case .anytime: releasedUnits = Dictionary(uniqueKeysWithValues: a.order.lines.map { ($0.sku, $0.qty) })
        case .onShip: releasedUnits = FulfilmentState.shippedQuantities(a.shipments)
        case .onHandOver: releasedUnits = FulfilmentState.shippedQuantities(a.shipments) { $0.isHandedOver }
        }
        var out: [InvoiceLine] = []
        for line in a.order.lines {
            let released = line.prepayable ? line.qty : min(releasedUnits[line.sku] ?? 0, line.qty)
            let open = released - (invoiced[line.sku] ?? 0)
            guard open > 0 else { continue }
            let units = line.unitPrice == 0 ? open : min(open, budget / line.unitPrice)
            guard units > 0 else { continue }
            budget -= line.value(of: units)
            out.append(InvoiceLine(sku: line.sku, name: line.name, qty: units, unitPrice: line.unitPrice, vatRate: line.vatRate))
        }
        return out
    }

    /// The lines of an explicit `invoice.create {"lines": …}`: each requested SKU must be on the
    /// order and not invoiced beyond its ordered quantity.
    public static func requestedLines(_ a: OrderAggregate, _ requested: [LineQuantity]) throws(OrderError) -> [InvoiceLine] {
        var invoiced = a.invoicedQuantities
        var out: [InvoiceLine] = []
        for (k, r) in requested.enumerated() {
            guard let line = a.order.line(r.sku) else { throw OrderError.invalid("lines[\(k)].sku", "order \(a.order.number) has no line with sku '\(r.sku)'") }
            let open = line.qty - (invoiced[r.sku] ?? 0)
            if r.qty > open { throw OrderError.conflict("lines[\(k)].qty: only \(open) of sku '\(r.sku)' are not yet invoiced, asked for \(r.qty)") }
            out.append(line.invoiceLine(units: r.qty, after: invoiced[r.sku] ?? 0))
            invoiced[r.sku, default: 0] += r.qty  // the same SKU may be named twice in one request
        }
        return out
    }

    /// Credit-note lines for units of `invoice`'s lines, refusing more than was invoiced minus
    /// what earlier credit notes took back — per SKU, and per VAT rate (`CreditRule`: after an
    /// amount credit, less may be left at a rate than the lines are worth).
    public static func creditLines(_ a: OrderAggregate, invoice: InvoiceDocument, units requested: [LineQuantity]) throws(OrderError) -> [InvoiceLine] {
        var credited = a.credited(against: invoice.number).units
        var out: [InvoiceLine] = []
        for (k, r) in requested.enumerated() {
            guard let il = invoice.lines.first(where: { $0.sku == r.sku }) else {
                throw OrderError.invalid("lines[\(k)].sku", "invoice \(invoice.reference) has no line with sku '\(r.sku)'")
            }
            let open = il.qty - (credited[r.sku] ?? 0)
            if r.qty > open {
                throw OrderError.conflict("lines[\(k)].qty: invoice \(invoice.reference) has \(open) of sku '\(r.sku)' left to credit, asked for \(r.qty)")
            }
            out.append(creditLine(il, units: r.qty, after: credited[r.sku] ?? 0))
            credited[r.sku, default: 0] += r.qty  // the same SKU may be named twice in one request
        }
        try CreditRule.check(grossByRate(out), against: invoice, balances: CreditRule.balances(of: invoice, documents: a.documents))
        return out
    }

    /// A credit line for `units` of invoice line `il`, after `after` units already credited:
    /// it carries the same share of the line's discount as those units were invoiced with.
    public static func creditLine(_ il: InvoiceLine, units: Int64, after: Int64) -> InvoiceLine {
        let d = OrderLine.discountThrough(after + units, qty: il.qty, discount: il.discount)
            - OrderLine.discountThrough(after, qty: il.qty, discount: il.discount)
        return InvoiceLine(sku: il.sku, name: il.name, qty: units, unitPrice: il.unitPrice, vatRate: il.vatRate, discount: d, fee: il.fee,
                           vatCountry: il.vatCountry)
    }

    /// Credit-note lines for an amount: split over the invoice's VAT rates in proportion to what
    /// is still uncredited at each (`CreditRule.split`), one line per rate, named in `language`.
    public static func creditAmount(_ a: OrderAggregate, invoice: InvoiceDocument, amount: Int64, language: Language) throws(OrderError) -> [InvoiceLine] {
        let balances = CreditRule.balances(of: invoice, documents: a.documents)
        let left = balances.reduce(0) { $0 + max(0, $1.leftGross) }
        if amount > left {
            throw OrderError.conflict("amount: invoice \(invoice.reference) has \(invoice.currency.format(left)) left to credit, asked for \(invoice.currency.format(amount))")
        }
        guard left > 0 else { throw OrderError.conflict("amount: invoice \(invoice.reference) has nothing to credit") }
        let shares = CreditRule.split(amount, balances: balances)
        return shares.keys.sorted().map { rate in
            InvoiceLine(sku: "credit:\(rate)", name: creditLabel(rate: rate, language), qty: 1, unitPrice: shares[rate]!, vatRate: rate)
        }
    }

    /// Credit-note lines for `amount` out of the credit lines `within` (e.g. a return's units,
    /// refunded less): split over *their* VAT rates in proportion to their gross — not over the
    /// whole invoice, whose other rates the returned goods never carried (a 25 % coffee refunded
    /// short must not take VAT-free newspaper money back) — and checked against what is left at
    /// each rate of `invoice` (`CreditRule`). `amount` must not exceed the gross of `within`.
    public static func creditAmount(_ a: OrderAggregate, invoice: InvoiceDocument, amount: Int64, within: [InvoiceLine],
                                    language: Language) throws(OrderError) -> [InvoiceLine] {
        let own = grossByRate(within).map { rate, gross in
            CreditRule.Balance(rate: rate, invoicedGross: gross, invoicedVAT: 0, creditedGross: 0, creditedVAT: 0)
        }
        let shares = CreditRule.split(amount, balances: own)
        let out = shares.keys.sorted().map { rate in
            InvoiceLine(sku: "credit:\(rate)", name: creditLabel(rate: rate, language), qty: 1, unitPrice: shares[rate]!, vatRate: rate)
        }
        try CreditRule.check(grossByRate(out), against: invoice, balances: CreditRule.balances(of: invoice, documents: a.documents))
        return out
    }

    /// The name of an amount-credit line: `Kreditering (25 % moms)` / `Credit (25% VAT)`.
    public static func creditLabel(rate: Int64, _ language: Language) -> String {
        language == .da ? "Kreditering (\(CreditRule.rateLabel(rate, .da)) moms)" : "Credit (\(CreditRule.rateLabel(rate, .en)) VAT)"
    }

    /// Gross per VAT rate of `lines`.
    public static func grossByRate(_ lines: [InvoiceLine]) -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for l in lines { out[l.vatRate, default: 0] += l.gross }
        return out
    }
}
