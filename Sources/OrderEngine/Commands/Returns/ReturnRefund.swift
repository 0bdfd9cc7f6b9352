import OrderCore
import OrderStore

/// `return.refund`: the credit note for a return's lines — with the shipping fee when the
/// whole order is withdrawn (forbrugeraftaleloven § 22: the delivery paid is refunded; the
/// shop charges standard delivery as its fee) — refunded through the gateway per authorisation
/// by the `credit_note.create` machinery (`InvoiceCommands.credit`). The return is `refunding`
/// until the gateway answers, then `refunded` with its credit note (`settle`).
enum ReturnRefund {
    static func refund(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var r = try ReturnCommands.load(p, ctx)
        let amount = try p.amount("amount", positive: true)
        var a = try ctx.aggregate(r.order)
        let only = try PaymentCommands.chosenAuthorization(p, a)
        try p.finish()
        switch r.state {
        case .refunded:
            throw OrderError(.policy, "return: return \(r.reference) is refunded already (credit note \(r.creditNote.map(String.init) ?? "–"))", field: "return")
        case .refunding:
            throw OrderError(.policy, "return: the refund of return \(r.reference) is in flight; run payment.reconcile", field: "return")
        case .created, .received: break
        }
        try InvoiceCommands.requireNoRefundInFlight(r.order, ctx)
        var units = r.lines
        let returns = try ctx.session.returns(of: r.order)
        if r.withdrawal && wholeOrderWithdrawn(a, returns: returns) {
            units += shippingFees(a)
        }
        let cur = a.order.currency
        guard let invoice = invoiceCovering(units, a) else {
            throw OrderError(.policy, "return: no invoice of order \(r.order) has the returned lines left to credit (\(units.map { "\($0.qty) × \($0.sku)" }.joined(separator: ", "))); credit them with credit_note.create", field: "return")
        }
        var lines = try InvoicePlanner.creditLines(a, invoice: invoice, units: units)
        let covered = lines.reduce(Int64(0)) { $0 + $1.gross }
        if let amount, amount > covered {
            throw OrderError(.policy, "amount: return \(r.reference) covers \(cur.format(covered)); a refund of \(cur.format(amount)) is more than that", field: "amount")
        }
        if let amount, amount < covered {
            lines = try InvoicePlanner.creditAmount(a, invoice: invoice, amount: amount, within: lines, language: a.order.customer.language)
        }
        let lang = a.order.customer.language
        let reason = (lang == .da ? "Returnering \(r.reference)" : "Return \(r.reference)") + (r.reason.isEmpty ? "" : ": \(r.reason)")
        let key = PaymentCommands.newKey("refund", r.order)
        let result = try InvoiceCommands.credit(lines, against: invoice, on: &a, reason: reason, refund: true, only: only, key: key, ctx: ctx)
        r.state = .refunding
        r.refundKey = key
        r.refundRequested = lines.reduce(0) { $0 + $1.gross }
        try ctx.session.updateReturn(r)
        var out = result.objectValue ?? [:]
        out["return"] = .int(r.number)
        return .object(out)
    }

    /// Whether the withdrawal returns of `a` (this one included) bring back every goods unit.
    static func wholeOrderWithdrawn(_ a: OrderAggregate, returns: [GoodsReturn]) -> Bool {
        let back = ReturnCommands.returnedUnits(returns.filter(\.withdrawal))
        return a.order.goods.allSatisfy { back[$0.sku, default: 0] >= $0.qty }
    }

    /// The shipping fee units invoiced on `a` and not yet credited.
    static func shippingFees(_ a: OrderAggregate) -> [LineQuantity] {
        a.invoices.flatMap { inv in
            let credited = a.credited(against: inv.number).units
            return inv.lines.filter { $0.fee == .shipping }.compactMap { l in
                let open = l.qty - (credited[l.sku] ?? 0)
                return open > 0 ? LineQuantity(sku: l.sku, qty: open) : nil
            }
        }
    }

    /// The newest invoice that has every unit of `units` left to credit.
    static func invoiceCovering(_ units: [LineQuantity], _ a: OrderAggregate) -> InvoiceDocument? {
        let want = Dictionary(units.map { ($0.sku, $0.qty) }, uniquingKeysWith: +)
        return a.invoices.last { inv in
            let credited = a.credited(against: inv.number).units
            return want.allSatisfy { sku, q in
                (inv.lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.qty }) - (credited[sku] ?? 0) >= q
            }
        }
    }

    /// After the last part of a refund sent under `e`'s group: the return it was for (if any)
    /// is `refunded` with `doc` (`return.refunded` on the timeline and to the hooks, a mail
    /// when the order notifies), or back where it was when nothing was paid back.
    static func settle(_ e: EffectRecord, _ doc: InvoiceDocument?, _ a: OrderAggregate, _ ctx: CommandContext) throws {
        guard var r = try ctx.session.goodsReturn(refundKey: EffectParts.group(of: e)), r.state == .refunding else { return }
        guard let doc else {
            r.state = r.receivedAt == nil ? .created : .received
            r.refundKey = nil
            r.refundRequested = nil
            try ctx.session.updateReturn(r)
            try ctx.record(order: r.order, event: "return.refund_failed", detail: ["return": .int(r.number), "reference": .string(r.reference)])
            return
        }
        r.state = .refunded
        r.refunded = doc.refunded
        r.creditNote = doc.number
        r.refundedAt = ctx.now
        try ctx.session.updateReturn(r)
        let detail: JSON = ["return": .int(r.number), "reference": .string(r.reference), "credit_note": .int(doc.number),
                            "credit_note_reference": .string(doc.reference)]
        try ctx.record(order: r.order, event: "return.refunded", amount: doc.refunded, detail: detail)
        ctx.emit(EngineEvent(name: "return.refunded", order: r.order, amount: doc.refunded, detail: detail))
        _ = try ReturnMail.refunded(r, doc, a, ctx)
    }
}

/// The customer's mails about a return, in the order's language (only when the order notifies).
enum ReturnMail {
    private static func queue(_ a: OrderAggregate, _ ctx: CommandContext, da: (String, String), en: (String, String)) throws -> [Int64] {
        guard a.order.notify else { return [] }
        let lang = a.order.customer.language
        let (subject, text) = lang == .da ? da : en
        let body = (lang == .da ? "Kære \(a.order.customer.name)\n\n" : "Dear \(a.order.customer.name)\n\n") + text
            + (lang == .da ? "\n\nVenlig hilsen\n" : "\n\nKind regards,\n") + ctx.settings.shopName + "\n"
        return [try ctx.session.enqueue(OutboxMessage(order: a.order.number, recipient: a.order.customer.email, subject: subject,
                                                      body: body, language: lang, createdAt: ctx.now))]
    }

    /// 'Vi har registreret din returnering' / 'We have registered your return'.
    /// The goods are named as the customer bought them ("2 × Kaffe", not the SKU), and a
    /// withdrawal's deadline is a date in the shop's time zone: the mail is read days later,
    /// when "14 days from today" no longer says when.
    static func created(_ r: GoodsReturn, _ a: OrderAggregate, _ ctx: CommandContext) throws -> [Int64] {
        let units = r.lines.map { l in "\(l.qty) × \(a.order.goods.first { $0.sku == l.sku }?.name ?? l.sku)" }
        let by = { (lang: Language) in r.deadline.map { StatusMail.date(ctx.settings.timeZone.date($0), lang) } ?? "" }
        return try queue(a, ctx,
            da: ("Din returnering \(r.reference) af ordre \(a.order.reference)",
                 "Vi har registreret din returnering \(r.reference) af ordre \(a.order.reference): \(StatusMail.list(units, .da))."
                    + (r.withdrawal ? " Du har fortrudt købet; vi betaler beløbet tilbage senest den \(by(.da)), når vi har modtaget varerne eller dokumentation for, at de er sendt." : "")),
            en: ("Your return \(r.reference) of order \(a.order.reference)",
                 "We have registered your return \(r.reference) of order \(a.order.reference): \(StatusMail.list(units, .en))."
                    + (r.withdrawal ? " You have withdrawn from the purchase; we will refund you by \(by(.en)), once we have the goods back or proof that they were sent." : "")))
    }

    /// 'Vi har betalt … tilbage' / 'We have refunded …'.
    static func refunded(_ r: GoodsReturn, _ doc: InvoiceDocument, _ a: OrderAggregate, _ ctx: CommandContext) throws -> [Int64] {
        let cur = a.order.currency
        return try queue(a, ctx,
            da: ("Pengene for returnering \(r.reference) er på vej",
                 "Vi har betalt \(cur.format(doc.refunded, for: .da)) tilbage for din returnering \(r.reference) af ordre \(a.order.reference) (kreditnota \(doc.reference))."),
            en: ("Your refund for return \(r.reference)",
                 "We have refunded \(cur.format(doc.refunded, for: .en)) for your return \(r.reference) of order \(a.order.reference) (credit note \(doc.reference))."))
    }
}
