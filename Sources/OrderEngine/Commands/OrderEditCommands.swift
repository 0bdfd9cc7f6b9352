import OrderCore
import OrderStore

/// `order.edit`: change an order's unshipped lines, fees, discounts or delivery address before
/// shipment. Shipped or invoiced lines and issued documents never change; the payment follows
/// without cancelling a valid authorisation.
enum OrderEditCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("order.edit", .write, "change unshipped lines, fees, discounts or the delivery address; totals recomputed, the diff on the timeline", run: edit))
    }

    static func edit(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let expected = try p.int("expected_version")
        let setQty = try p.objects("set_qty", maxCount: Amounts.maxLines)?.map { r throws(OrderError) in try LineQuantity(r) }
        let added = try p.objects("add_lines", maxCount: Amounts.maxLines)?.map { r throws(OrderError) in try OrderLine(r) }
        let removed = try p.strings("remove_lines", maxCount: Amounts.maxLines, maxLength: 64)
        let fees = try p.objects("fees", maxCount: 20)?.map { r throws(OrderError) in try FeeSpec(r, defaultRelease: ctx.settings.feeCapture) }
        let discounts = try p.objects("discounts", maxCount: 20)?.map { r throws(OrderError) in try DiscountSpec(r) }
        let address = try p.object("delivery_address").map { r throws(OrderError) in try Address(r) }
        let reason = try p.requiredString("reason", maxLength: 1000)
        try p.finish()
        var a = try ctx.aggregate(n, expectedVersion: expected)
        let before = a.order
        if ["cancelled", "returned"].contains(before.status) { throw OrderError.policy("order \(n) is \(before.status); it cannot be edited") }
        let shipped = a.shippedQuantities
        let invoiced = a.invoicedQuantities
        let frozen = Set(before.lines.filter { (shipped[$0.sku] ?? 0) > 0 || (invoiced[$0.sku] ?? 0) > 0 }.map(\.sku))
        func refuseFrozen(_ sku: String, _ field: String) throws {
            if frozen.contains(sku) {
                throw OrderError(.policy, "\(field): line '\(sku)' of order \(n) is already shipped or invoiced (\(shipped[sku] ?? 0) shipped, \(invoiced[sku] ?? 0) invoiced); only lines not yet shipped can be edited", field: field)
            }
        }
        var goods = before.goods
        var changes: [JSON] = []
        for (k, q) in (setQty ?? []).enumerated() {
            let field = "set_qty[\(k)].sku"
            guard let i = goods.firstIndex(where: { $0.sku == q.sku }) else { throw OrderError.invalid(field, "order \(n) has no goods line with sku '\(q.sku)'") }
            try refuseFrozen(q.sku, field)
            changes.append(["sku": .string(q.sku), "qty_from": .int(goods[i].qty), "qty_to": .int(q.qty)])
            goods[i].qty = q.qty
            _ = try Amounts.multiply(q.qty, goods[i].unitPrice, field: "set_qty[\(k)].qty")
        }
        for (k, sku) in (removed ?? []).enumerated() {
            let field = "remove_lines[\(k)]"
            guard let i = goods.firstIndex(where: { $0.sku == sku }) else { throw OrderError.invalid(field, "order \(n) has no goods line with sku '\(sku)'") }
            try refuseFrozen(sku, field)
            changes.append(["sku": .string(sku), "removed": .int(goods[i].qty)])
            goods.remove(at: i)
        }
        for (k, l) in (added ?? []).enumerated() {
            if goods.contains(where: { $0.sku == l.sku }) { throw OrderError.invalid("add_lines[\(k)].sku", "order \(n) already has a line with sku '\(l.sku)'; use set_qty") }
            changes.append(["sku": .string(l.sku), "added": .int(l.qty), "unit_price": .int(l.unitPrice)])
            var line = l
            if before.reverseCharge { line.vatRate = 0 }
            if let c = before.vatCountry { line.vatRate = OSS.rate(of: line, in: c, settings: ctx.settings.oss) }
            goods.append(line)
        }
        if goods.isEmpty { throw OrderError.invalid("remove_lines", "an order needs at least one line; cancel it instead") }
        if var fees, fees != before.fees {
            if let f = before.feeLines.first(where: { (invoiced[$0.sku] ?? 0) > 0 }) {
                throw OrderError(.policy, "fees: fee '\(f.sku)' of order \(n) is already invoiced; fees cannot be changed", field: "fees")
            }
            if before.reverseCharge { for i in fees.indices { fees[i].vatRate = 0 } }
            if before.vatCountry != nil { for i in fees.indices { fees[i].vatRate = nil } }  // fees follow the goods (OSS)
            changes.append(["fees": .array(fees.map(\.json))])
            a.order.fees = fees
        }
        if let discounts, discounts != before.discounts {
            if !frozen.isEmpty {
                throw OrderError(.policy, "discounts: order \(n) has lines already shipped or invoiced (\(frozen.sorted().joined(separator: ", "))); discounts can be changed only before the first shipment", field: "discounts")
            }
            changes.append(["discounts": .array(discounts.map(\.json))])
            a.order.discounts = discounts
        }
        if let address, address != before.customer.deliveryAddress {
            // The lines carry the VAT of their country (OSS): a move to another VAT country
            // would reprice them, which an edit does not do.
            var moved = before.customer
            moved.deliveryAddress = address
            let to = OSS.country(customer: moved, delivery: before.delivery, reverseCharge: before.reverseCharge, settings: ctx.settings.oss)
            if to != before.vatCountry {
                throw OrderError(.policy, "delivery_address: the order carries \(before.vatCountry.map { "\($0) VAT (OSS)" } ?? "Danish VAT"); delivery to \(address.country) would need \(to.map { "\($0) VAT (OSS)" } ?? "Danish VAT"). Cancel the order and create it again for the new country", field: "delivery_address")
            }
            // Reverse charge (0 %) holds only for goods shipped to another EU country: a move to
            // Denmark (or out of the EU) would need Danish VAT, and a move that would make the
            // order an intra-community supply would need 0 %.
            let rcAfter = before.reverseCharge ? ReverseCharge.refusal(customer: moved, delivery: before.delivery) == nil
                && ReverseCharge.inEUVATArea(moved) == ReverseCharge.inEUVATArea(before.customer)
                : ReverseCharge.applies(customer: moved, delivery: before.delivery) && !ReverseCharge.applies(customer: before.customer, delivery: before.delivery)
            if rcAfter != before.reverseCharge {
                throw OrderError(.policy, "delivery_address: the order carries \(before.reverseCharge ? "reverse charge (0 %)" : "VAT"); delivery to \(address.country) would \(before.reverseCharge ? "need Danish VAT" : "make it an intra-community supply under reverse charge (0 %)"). Cancel the order and create it again for the new address", field: "delivery_address")
            }
            changes.append(["delivery_address": address.json])
            a.order.customer.deliveryAddress = address
        }
        let lines = try OrderPricing.price(goods: goods, fees: a.order.fees, discounts: a.order.discounts, frozen: frozen,
                                           keptFees: before.feeLines, currency: before.currency)
        for sku in frozen where lines.first(where: { $0.sku == sku }) != before.line(sku) {
            throw OrderError(.policy, "the edit would change line '\(sku)', which is shipped or invoiced", field: "lines")
        }
        a.order.lines = lines
        let total = a.order.total
        _ = try Amounts.add(total, 0, field: "lines")
        let cur = before.currency
        let paid = a.payments.captured - a.payments.refunded
        if total < paid {
            throw OrderError.policy("order \(n) would total \(cur.format(total)), below the \(cur.format(paid)) captured and not refunded; credit first")
        }
        if changes.isEmpty {
            return ["order": .int(n), "changed": false, "version": .int(before.version), "total": .int(total)]
        }
        try ctx.save(&a, documentChanged: true)
        // Payments follow: a valid authorisation is never cancelled. Less: the capture simply
        // takes less (what is left is released when the order is fulfilled or cancelled). More:
        // the difference is left to authorise (payment_state partially_authorized).
        let committed = a.payments.committed(at: ctx.now)
        let toAuthorize = max(0, total - committed)
        let surplus = max(0, committed - total)
        let releasing = try releaseSurplus(&a, surplus: surplus, ctx: ctx)
        try ctx.record(order: n, event: "order.edited", amount: total, detail: [
            "reason": .string(reason), "changes": .array(changes), "total_from": .int(before.total), "total_to": .int(total),
            "left_to_authorize": .int(toAuthorize), "authorized_surplus": .int(surplus), "releasing": .int(releasing),
        ])
        ctx.emit(EngineEvent(name: "order.edited", order: n, amount: total, detail: ["reason": .string(reason)]))
        var mail: [Int64] = []
        if a.order.notify {
            let lang = a.order.customer.language
            let subject = lang == .da ? "Din ordre er ændret (\(a.order.reference))" : "Your order was changed (\(a.order.reference))"
            // "247,00 kr." ends the sentence by itself: no second full stop after it.
            let newTotal = cur.format(total, for: lang)
            let totalLine = newTotal.hasSuffix(".") ? newTotal : newTotal + "."
            let body = lang == .da
                ? "Kære \(a.order.customer.name)\n\nDin ordre \(a.order.reference) er ændret: \(reason)\nNy total: \(totalLine)\n\nVenlig hilsen\n\(ctx.settings.shopName)\n"
                : "Dear \(a.order.customer.name)\n\nYour order \(a.order.reference) was changed: \(reason)\nNew total: \(totalLine)\n\nKind regards,\n\(ctx.settings.shopName)\n"
            mail.append(try ctx.session.enqueue(OutboxMessage(order: n, recipient: a.order.customer.email, subject: subject, body: body,
                                                              language: lang, createdAt: ctx.now)))
        }
        var r = (OrderCommands.orderJSON(a, ctx).objectValue ?? JSONObject())
        r["changed"] = true
        r["changes"] = .array(changes)
        r["left_to_authorize"] = .int(toAuthorize)
        r["authorized_surplus"] = .int(surplus)
        r["releasing"] = .int(releasing)
        r["outbox"] = .array(mail.map { .int($0) })
        if toAuthorize > 0 { r["payment_state"] = "partially_authorized" }
        return .object(r)
    }

    /// With a gateway that supports partial voids, releases the surplus of a lowered total:
    /// one partial void per valid authorisation, newest first, each at most what it still
    /// holds (less voids in flight), as effects of their own (their outcome is reported under
    /// `effects`; a refusal leaves the edit standing and the money reserved). Nothing when the
    /// gateway cannot (the capture then simply takes less) or a capture is in flight. Returns
    /// the amount being released.
    private static func releaseSurplus(_ a: inout OrderAggregate, surplus: Int64, ctx: CommandContext) throws -> Int64 {
        let n = a.order.number
        guard surplus > 0, ctx.engine.configuration.gateway.supportsPartialVoid,
              try ctx.session.pendingAmount(order: n, kind: "capture") == 0 else { return 0 }
        let inFlight = try EffectParts.reserved(order: n, kind: "void", ctx)
        var left = surplus - inFlight.values.reduce(0, +)
        var parts: [(Int64, Int64)] = []
        for auth in a.payments.validAuthorizations(at: ctx.now).reversed() where left > 0 {
            let amount = min(left, a.payments.remaining(of: auth) - (inFlight[auth.id] ?? 0))
            guard amount > 0 else { continue }
            parts.append((auth.id, amount))
            left -= amount
        }
        guard !parts.isEmpty else { return 0 }
        let effects = try EffectParts.record("void", .void, group: PaymentCommands.newKey("release", n), parts: parts, on: a,
                                             partial: true, ctx: ctx)
        for e in effects { ctx.effects.append(QueuedEffect(record: e, primary: false)) }
        return effects.reduce(0) { $0 + $1.amount }
    }
}
