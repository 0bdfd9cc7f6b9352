import OrderCore
import OrderStore

/// `return.refund`: the credit notes for a return's lines — with every fee the consumer paid
/// when the whole order is withdrawn (forbrugeraftaleloven § 22, stk. 1), the shipping fee up to
/// the cheapest standard delivery (§ 18, stk. 2; setting `standard_delivery_fee`) — refunded
/// through the gateway per authorisation by the `credit_note.create` machinery
/// (`InvoiceCommands.credit`).
///
/// The returned units are credited against the invoices they were invoiced on: one invoice
/// when one has them all left to credit, else one **part** per invoice (`ReturnRefundPart`),
/// each its own credit note within that invoice's remainder and its own effect group. The
/// return is `refunding` until the gateway has answered every part, then `refunded`, or
/// `refund_failed` when a part was (partly) declined; `return.refund` then sends what is left
/// of the failed parts only, under new keys — the parts that went through keep theirs and are
/// never sent again (`settle`).
enum ReturnRefund {
    static func refund(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var r = try ReturnCommands.load(p, ctx)
        let amount = try p.amount("amount", positive: true)
        var a = try ctx.aggregate(r.order)
        let only = try PaymentCommands.chosenAuthorization(p, a)
        try p.finish()
        switch r.state {
        case .refunded:
            throw OrderError(.policy, "return: return \(r.reference) is refunded already (credit note \(r.creditNotes.map(String.init).joined(separator: ", ")))", field: "return")
        case .refunding:
            throw OrderError(.policy, "return: the refund of return \(r.reference) is in flight; run payment.reconcile", field: "return")
        case .created, .received, .refundFailed: break
        }
        try InvoiceCommands.requireNoRefundInFlight(r.order, ctx)
        let cur = a.order.currency
        if r.state == .refundFailed && !r.refundParts.isEmpty {
            // A retry: the plan of the first attempt stands; only what is left of it is sent.
            if let amount, amount != r.refundRequested {
                throw OrderError(.policy, "amount: return \(r.reference) is being refunded \(cur.format(r.refundRequested ?? 0)) (\(cur.format(r.refunded ?? 0)) went back); a retry sends the rest — leave amount out", field: "amount")
            }
        } else {
            (r.refundParts, r.freight) = try plan(r, a, amount: amount, ctx)
        }
        let lang = a.order.customer.language
        let reason = (lang == .da ? "Returnering \(r.reference)" : "Return \(r.reference)") + (r.reason.isEmpty ? "" : ": \(r.reason)")
        let base = PaymentCommands.newKey("refund", r.order)
        var sent: Int64 = 0
        var groups = 0
        for k in r.refundParts.indices where r.refundParts[k].left > 0 {
            let part = r.refundParts[k]
            guard let invoice = a.invoices.first(where: { $0.number == part.invoice }) else {
                throw OrderError(.storage, "invoice \(part.invoice) of return \(r.reference) vanished")
            }
            let lines = try creditLines(part, invoice, a)
            let key = groups == 0 ? base : "\(base)/\(groups + 1)"
            _ = try InvoiceCommands.credit(lines, against: invoice, on: &a, reason: reason + freightNote(part, r.freight, cur, lang), refund: true,
                                           only: only, key: key, extra: ["return": .int(r.number)], ctx: ctx)
            r.refundParts[k].keys.append(key)
            r.refundParts[k].state = .pending
            sent += lines.reduce(0) { $0 + $1.gross }
            groups += 1
        }
        guard groups > 0 else { throw OrderError(.policy, "return: return \(r.reference) has nothing left to refund", field: "return") }
        r.state = .refunding
        r.refundKey = base
        r.refundRequested = r.refundParts.reduce(0) { $0 + $1.amount }
        try ctx.session.updateReturn(r)
        return ["order": .int(r.order), "return": .int(r.number), "pending": .int(sent), "idempotency_key": .string(base),
                "credit_notes_pending": .int(Int64(groups))]
    }

    /// The parts of a first refund: the returned units (plus every fee on a whole withdrawal)
    /// per invoice, the freight above the cheapest standard delivery withheld, each part capped
    /// at what its invoice has left to credit at the units' rates (an earlier amount credit took
    /// the rest: `alreadyCredited`), and `amount` (when less than that) taken from the parts in
    /// invoice order.
    static func plan(_ r: GoodsReturn, _ a: OrderAggregate, amount: Int64?, _ ctx: CommandContext) throws -> ([ReturnRefundPart], FreightRefund?) {
        var units = r.lines
        let returns = try ctx.session.returns(of: r.order)
        let fees = r.withdrawal && wholeOrderWithdrawn(a, returns: returns) ? consumerFees(a) : []
        units += fees
        let cur = a.order.currency
        guard let split = distribute(units, a) else {
            throw OrderError(.policy, "return: the invoices of order \(r.order) do not have the returned units left to credit (\(units.map { "\($0.qty) × \($0.sku)" }.joined(separator: ", "))); credit them with credit_note.create", field: "return")
        }
        var parts = split.map { inv, u in ReturnRefundPart(invoice: inv.number, units: u, amount: gross(unitLines(inv, u, a))) }
        // The freight: credited up to the cheapest standard delivery, the rest withheld
        // (spread over the invoices that carry it in proportion, the remainder on the last).
        var freight: FreightRefund?
        if !fees.isEmpty {
            let perPart = split.map { inv, u in gross(unitLines(inv, u.filter { $0.sku.hasPrefix("fee:") && isShipping($0.sku, inv) }, a)) }
            let charged = perPart.reduce(0, +)
            let standard = ctx.settings.standardDeliveryFee[cur.code]
            let withheld = standard.map { max(0, charged - $0) } ?? 0
            var left = withheld
            for (k, f) in perPart.enumerated() where f > 0 && left > 0 {
                let isLast = !perPart[(k + 1)...].contains { $0 > 0 }
                let take = isLast ? left : min(left, withheld * f / max(1, charged))
                parts[k].freightWithheld = take
                parts[k].amount -= take
                left -= take
            }
            freight = FreightRefund(charged: charged, credited: charged - withheld, standardDeliveryFee: standard)
        }
        // What earlier credit notes against an invoice took (a goodwill amount) is not paid back twice.
        for (k, (inv, _)) in split.enumerated() {
            let lines = capFreight(unitLines(inv, parts[k].units, a), withheld: parts[k].freightWithheld, a.order.customer.language)
            let room = creditable(lines, inv, a).values.reduce(0, +)
            if room < parts[k].amount {
                parts[k].alreadyCredited = parts[k].amount - room
                parts[k].amount = room
            }
        }
        let taken = parts.reduce(0) { $0 + $1.alreadyCredited }
        parts.removeAll { $0.amount == 0 }  // an invoice with nothing left at the units' rates
        let covered = parts.reduce(0) { $0 + $1.amount }
        if let amount, amount > covered {
            throw OrderError(.policy, "amount: return \(r.reference) covers \(cur.format(covered))"
                + (taken > 0 ? " (earlier credit notes took \(cur.format(taken)) of what it is worth)" : "")
                + "; a refund of \(cur.format(amount)) is more than that", field: "amount")
        }
        if var left = amount, left < covered {
            for k in parts.indices {
                parts[k].amount = min(parts[k].amount, left)
                left -= parts[k].amount
            }
            parts.removeAll { $0.amount == 0 }
        }
        return (parts, freight)
    }

    /// The credit lines of what is left of `part` on `invoice`: its units, the freight capped,
    /// and — when less is left than they are worth (an `amount`, an earlier amount credit, or a
    /// retry after a partial refund) — the units still named, with the difference as a deduction
    /// on their lines (`deduct`), so the units count as credited whatever the amount and no later
    /// `credit_note.create` credits them again. Checked per rate (`CreditRule`).
    static func creditLines(_ part: ReturnRefundPart, _ invoice: InvoiceDocument, _ a: OrderAggregate) throws -> [InvoiceLine] {
        let lang = a.order.customer.language
        var lines = unitLines(invoice, part.units, a)
        if part.freightWithheld > 0 { lines = capFreight(lines, withheld: part.freightWithheld, lang) }
        if part.left < gross(lines) { lines = deduct(lines, to: part.left, creditable(lines, invoice, a), lang) }
        try CreditRule.check(InvoicePlanner.grossByRate(lines), against: invoice, balances: CreditRule.balances(of: invoice, documents: a.documents))
        return lines
    }

    /// Credit lines for `units` of `invoice` after the units credit notes took already (each
    /// with its share of the line's discount); the per-sku check is `distribute`'s, the per-rate
    /// one the caller's.
    static func unitLines(_ invoice: InvoiceDocument, _ units: [LineQuantity], _ a: OrderAggregate) -> [InvoiceLine] {
        var credited = a.credited(against: invoice.number).units
        return units.compactMap { u in
            guard let il = invoice.lines.first(where: { $0.sku == u.sku }) else { return nil }
            defer { credited[u.sku, default: 0] += u.qty }
            return InvoicePlanner.creditLine(il, units: u.qty, after: credited[u.sku] ?? 0)
        }
    }

    /// Per VAT rate of `lines`: what may be credited of them against `invoice` — their gross,
    /// at most what the invoice has left uncredited at that rate.
    static func creditable(_ lines: [InvoiceLine], _ invoice: InvoiceDocument, _ a: OrderAggregate) -> [Int64: Int64] {
        let balances = CreditRule.balances(of: invoice, documents: a.documents)
        return InvoicePlanner.grossByRate(lines).reduce(into: [:]) { out, e in
            out[e.key] = min(e.value, max(0, balances.first { $0.rate == e.key }?.leftGross ?? 0))
        }
    }

    /// `lines` worth `amount` in all: `amount` split over their rates in proportion to `room`
    /// (what may be credited at each, `CreditRule.split`), and at each rate the difference taken
    /// off its lines in proportion to their gross (the remainder from the last) as a discount,
    /// each line named "(med fradrag)" / "(less a deduction)". The units stay on the lines.
    static func deduct(_ lines: [InvoiceLine], to amount: Int64, _ room: [Int64: Int64], _ lang: Language) -> [InvoiceLine] {
        let shares = CreditRule.split(amount, balances: room.map { CreditRule.Balance(rate: $0.key, invoicedGross: $0.value, invoicedVAT: 0, creditedGross: 0, creditedVAT: 0) })
        var out = lines
        let suffix = lang == .da ? " (med fradrag)" : " (less a deduction)"
        for (rate, g) in InvoicePlanner.grossByRate(lines) {
            let cut = g - (shares[rate] ?? 0)
            guard cut > 0 else { continue }
            let at = lines.indices.filter { lines[$0].vatRate == rate }
            var left = cut
            for (n, k) in at.enumerated() {
                let l = lines[k]
                let take = n == at.count - 1 ? left : min(left, g == 0 ? 0 : g.dividingFullWidth(cut.multipliedFullWidth(by: l.gross)).quotient)
                left -= take
                let share = l.gross - take
                out[k] = InvoiceLine(sku: l.sku, name: l.name + suffix, qty: l.qty, unitPrice: l.unitPrice, vatRate: l.vatRate, gross: share,
                                     discount: l.qty * l.unitPrice - share, fee: l.fee, vatCountry: l.vatCountry)
            }
        }
        return out
    }

    /// The result's word when earlier credit notes took part of what the return is worth:
    /// "Kreditnotaer på fakturaen har allerede krediteret 53,00 kr. af returneringen; 46,00 kr.
    /// betales tilbage" / English. Nil when nothing was taken.
    static func alreadyCreditedNote(_ r: GoodsReturn, _ cur: Currency) -> JSON? {
        let taken = r.refundParts.reduce(0) { $0 + $1.alreadyCredited }
        guard taken > 0 else { return nil }
        let paid = r.refundParts.reduce(0) { $0 + $1.amount }
        return ["da": .string("Tidligere kreditnotaer på fakturaen har allerede krediteret \(cur.format(taken, for: .da)) af det, returneringen \(r.reference) er værd; der betales \(cur.format(paid, for: .da)) tilbage."),
                "en": .string("Earlier credit notes against the invoice credited \(cur.format(taken, for: .en)) of what return \(r.reference) is worth already; \(cur.format(paid, for: .en)) is refunded.")]
    }

    /// `lines` with `withheld` taken off their shipping-fee lines (in proportion, the remainder
    /// from the last), each named so the credit note says why it is less than the fee charged.
    static func capFreight(_ lines: [InvoiceLine], withheld: Int64, _ lang: Language) -> [InvoiceLine] {
        let freight = lines.indices.filter { lines[$0].fee == .shipping }
        let charged = freight.reduce(Int64(0)) { $0 + lines[$1].gross }
        guard charged > 0 else { return lines }
        var out = lines
        var left = min(withheld, charged)
        for (n, k) in freight.enumerated() {
            let l = lines[k]
            let take = n == freight.count - 1 ? left : min(left, min(withheld, charged) * l.gross / charged)
            left -= take
            let share = l.gross - take
            let suffix = lang == .da ? " (krediteret op til billigste standardlevering)" : " (credited up to the cheapest standard delivery)"
            out[k] = l.qty == 1
                ? InvoiceLine(sku: l.sku, name: l.name + suffix, qty: 1, unitPrice: share, vatRate: l.vatRate, fee: l.fee, vatCountry: l.vatCountry)
                : InvoiceLine(sku: l.sku, name: l.name + suffix, qty: l.qty, unitPrice: l.unitPrice, vatRate: l.vatRate, gross: share,
                              discount: l.qty * l.unitPrice - share, fee: l.fee, vatCountry: l.vatCountry)
        }
        return out
    }

    /// The credit note's word on withheld freight: "Fragt krediteret op til billigste
    /// standardlevering (39,00 kr.); 10,00 kr. tilbageholdt (forbrugeraftaleloven § 18, stk. 2)".
    static func freightNote(_ part: ReturnRefundPart, _ f: FreightRefund?, _ cur: Currency, _ lang: Language) -> String {
        guard part.freightWithheld > 0, let f, let std = f.standardDeliveryFee else { return "" }
        return lang == .da
            ? ". Fragt krediteret op til billigste standardlevering (\(cur.format(std, for: .da))); \(cur.format(part.freightWithheld, for: .da)) tilbageholdt (forbrugeraftaleloven § 18, stk. 2)"
            : ". Delivery credited up to the cheapest standard delivery (\(cur.format(std, for: .en))); \(cur.format(part.freightWithheld, for: .en)) withheld (Danish Consumer Contracts Act § 18(2))"
    }

    static func gross(_ lines: [InvoiceLine]) -> Int64 { lines.reduce(0) { $0 + $1.gross } }

    static func isShipping(_ sku: String, _ inv: InvoiceDocument) -> Bool { inv.lines.contains { $0.sku == sku && $0.fee == .shipping } }

    /// Whether the withdrawal returns of `a` (this one included) bring back every goods unit.
    static func wholeOrderWithdrawn(_ a: OrderAggregate, returns: [GoodsReturn]) -> Bool {
        let back = ReturnCommands.returnedUnits(returns.filter(\.withdrawal))
        return a.order.goods.allSatisfy { back[$0.sku, default: 0] >= $0.qty }
    }

    /// The fee units (shipping, payment, handling, other — every payment the consumer made,
    /// forbrugeraftaleloven § 22, stk. 1) invoiced on `a` and not yet credited.
    static func consumerFees(_ a: OrderAggregate) -> [LineQuantity] {
        a.invoices.flatMap { inv in
            let credited = a.credited(against: inv.number).units
            return inv.lines.filter { $0.fee != nil }.compactMap { l in
                let open = l.qty - (credited[l.sku] ?? 0)
                return open > 0 ? LineQuantity(sku: l.sku, qty: open) : nil
            }
        }
    }

    /// `units` over the invoices that have them left to credit: the newest invoice that has
    /// them all, else newest first per sku, one entry per invoice in invoice order. Nil when
    /// the invoices together have less left than `units`.
    static func distribute(_ units: [LineQuantity], _ a: OrderAggregate) -> [(InvoiceDocument, [LineQuantity])]? {
        var order: [String] = []
        var want: [String: Int64] = [:]
        for u in units {
            if want[u.sku] == nil { order.append(u.sku) }
            want[u.sku, default: 0] += u.qty
        }
        func open(_ sku: String, _ inv: InvoiceDocument, _ credited: [String: Int64]) -> Int64 {
            inv.lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.qty } - (credited[sku] ?? 0)
        }
        if let one = a.invoices.last(where: { inv in
            let credited = a.credited(against: inv.number).units
            return want.allSatisfy { open($0.key, inv, credited) >= $0.value }
        }) {
            return [(one, order.map { LineQuantity(sku: $0, qty: want[$0]!) })]
        }
        var out: [(InvoiceDocument, [LineQuantity])] = []
        for inv in a.invoices.reversed() {
            let credited = a.credited(against: inv.number).units
            var taken: [LineQuantity] = []
            for sku in order where want[sku]! > 0 {
                let take = min(want[sku]!, max(0, open(sku, inv, credited)))
                if take > 0 {
                    taken.append(LineQuantity(sku: sku, qty: take))
                    want[sku]! -= take
                }
            }
            if !taken.isEmpty { out.append((inv, taken)) }
        }
        guard want.values.allSatisfy({ $0 == 0 }) else { return nil }
        return out.sorted { $0.0.number < $1.0.number }
    }

    /// The return a refund effect was sent for: named in its request, or (older effects) the
    /// one whose `refund_key` is its group.
    static func owner(of e: EffectRecord, _ ctx: CommandContext) throws -> GoodsReturn? {
        if let n = e.request["return"]?.intValue { return try ctx.session.goodsReturn(n) }
        return try ctx.session.goodsReturn(refundKey: EffectParts.group(of: e))
    }

    /// After the last part of a refund group sent under `e`: books `doc` (what that group paid
    /// back, nil for nothing) on its part of the return. When no part is pending any more the
    /// return is `refunded` (`return.refunded` on the timeline and to the hooks, a mail when the
    /// order notifies) or, when some part is short, `refund_failed` (`return.refund_failed` on
    /// the timeline) with what went back.
    static func settle(_ e: EffectRecord, _ doc: InvoiceDocument?, _ a: OrderAggregate, _ ctx: CommandContext) throws {
        guard var r = try owner(of: e, ctx), r.state == .refunding else { return }
        let group = EffectParts.group(of: e)
        if r.refundParts.isEmpty {  // in flight from before refunds had parts: one part
            var part = ReturnRefundPart(invoice: doc?.creditsInvoice ?? 0, units: r.lines, amount: r.refundRequested ?? 0)
            part.keys = [group]
            r.refundParts = [part]
        }
        guard let k = r.refundParts.firstIndex(where: { $0.keys.last == group }) else { return }
        r.refundParts[k].refunded += doc?.refunded ?? 0
        if let doc { r.refundParts[k].creditNotes.append(doc.number) }
        r.refundParts[k].state = r.refundParts[k].left == 0 ? .refunded : .failed
        r.refunded = r.refundParts.reduce(0) { $0 + $1.refunded }
        if r.creditNote == nil { r.creditNote = doc?.number }
        if r.refundParts.contains(where: { $0.state == .pending }) {
            try ctx.session.updateReturn(r)
            return
        }
        let docs = r.creditNotes.compactMap { n in a.documents.first { $0.kind == .credit_note && $0.number == n } }
        let detail: JSON = ["return": .int(r.number), "reference": .string(r.reference), "credit_note": .optional(docs.last?.number),
                            "credit_note_reference": .optional(docs.last?.reference),
                            "credit_notes": .array(docs.map { .string($0.reference) }),
                            "left_to_refund": .int(r.refundParts.reduce(0) { $0 + $1.left })]
        guard r.refundParts.allSatisfy({ $0.state == .refunded }) else {
            r.state = .refundFailed
            try ctx.session.updateReturn(r)
            try ctx.record(order: r.order, event: "return.refund_failed", amount: r.refunded ?? 0, detail: detail)
            return
        }
        r.state = .refunded
        r.refundedAt = ctx.now
        try ctx.session.updateReturn(r)
        try ctx.record(order: r.order, event: "return.refunded", amount: r.refunded ?? 0, detail: detail)
        ctx.emit(EngineEvent(name: "return.refunded", order: r.order, amount: r.refunded ?? 0, detail: detail))
        _ = try ReturnMail.refunded(r, docs, a, ctx)
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
    /// Names every credit note of the return ("kreditnota K-1 og K-2"), and the freight withheld
    /// above the cheapest standard delivery when there was any.
    static func refunded(_ r: GoodsReturn, _ docs: [InvoiceDocument], _ a: OrderAggregate, _ ctx: CommandContext) throws -> [Int64] {
        let cur = a.order.currency
        let paid = r.refunded ?? docs.reduce(0) { $0 + $1.refunded }
        let refs = docs.map(\.reference)
        let withheld = r.freight.map(\.withheld) ?? 0
        return try queue(a, ctx,
            da: ("Pengene for returnering \(r.reference) er på vej",
                 "Vi har betalt \(cur.format(paid, for: .da)) tilbage for din returnering \(r.reference) af ordre \(a.order.reference) (\(refs.count == 1 ? "kreditnota" : "kreditnotaer") \(StatusMail.list(refs, .da)))."
                    + (withheld > 0 ? " Fragten er betalt tilbage op til prisen for vores billigste standardlevering; \(cur.format(withheld, for: .da)) er tilbageholdt (forbrugeraftaleloven § 18, stk. 2)." : "")),
            en: ("Your refund for return \(r.reference)",
                 "We have refunded \(cur.format(paid, for: .en)) for your return \(r.reference) of order \(a.order.reference) (\(refs.count == 1 ? "credit note" : "credit notes") \(StatusMail.list(refs, .en)))."
                    + (withheld > 0 ? " Delivery is refunded up to the price of our cheapest standard delivery; \(cur.format(withheld, for: .en)) is withheld (Danish Consumer Contracts Act § 18(2))." : "")))
    }
}
