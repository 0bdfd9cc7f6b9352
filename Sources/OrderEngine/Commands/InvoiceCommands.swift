import OrderCore
import OrderStore

/// `invoice.create`, `credit_note.create` (and the reads `invoice.get`, `invoice.find` in QueryCommands).
enum InvoiceCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("invoice.create", .write, "invoice the captured goods (also done by capture, by setting)", run: createInvoice))
        r.register(Command("credit_note.create", .write, "credit lines or an amount against an invoice (kreditering), refunding through the gateway", run: createCreditNote))
    }

    static func createInvoice(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let requested = try p.objects("lines", maxCount: Amounts.maxLines)?.map { r throws(OrderError) in try LineQuantity(r) }
        let rate = try ExchangeRate.read(p, "exchange_rate")
        try p.finish()
        var a = try ctx.aggregate(n)
        try DocumentIssuer.refuseRateForDKK(rate, a)
        try DocumentIssuer.requireSeller(ctx, order: n)
        if a.order.status == "cancelled" { throw OrderError.policy("order \(n) is cancelled; no invoice may be issued") }
        // Only captured money is invoiced (the money invariant): lines worth at most what is
        // captured and not yet invoiced, or (without lines) exactly that as whole released units.
        let cur = a.order.currency
        let uninvoiced = CapturePlan.uninvoicedCaptured(a)
        let lines: [InvoiceLine]
        if let requested {
            if requested.isEmpty { throw OrderError.invalid("lines", "name at least one line") }
            lines = try InvoicePlanner.requestedLines(a, requested)
            let value = lines.reduce(0) { $0 + $1.gross }
            if value > uninvoiced {
                throw OrderError.policy("lines: the lines are worth \(cur.format(value)), but only \(cur.format(max(0, uninvoiced))) of order \(n) is captured and not yet invoiced; an invoice covers captured money only (capture first)")
            }
        } else {
            guard uninvoiced > 0, let found = CapturePlan.select(uninvoiced, from: CapturePlan.open(a, policy: ctx.settings.capturePolicy)),
                  !found.isEmpty
            else {
                throw OrderError.conflict("order \(n) has no captured goods that are not yet invoiced (captured \(cur.format(a.payments.captured)), invoiced \(cur.format(a.invoicedTotal)))")
            }
            lines = found
        }
        let doc = try DocumentIssuer.issue(.invoice, lines: lines, on: &a, ctx: ctx, exchangeRate: rate)
        try ctx.save(&a)
        return doc.json
    }

    static func createCreditNote(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let invoiceNumber = try p.int("invoice", in: 1...Int64.max)
        let requested = try p.objects("lines", maxCount: Amounts.maxLines)?.map { r throws(OrderError) in try LineQuantity(r) }
        let amount = try p.amount("amount", positive: true)
        let reason = try p.requiredString("reason", maxLength: 1000)
        let refund = try p.bool("refund") ?? true
        let key = try PaymentCommands.idempotencyKey(p)
        if requested != nil && amount != nil { throw OrderError.invalid("amount", "give either lines or amount, not both") }
        if let replayed = try PaymentCommands.replay(key, kind: "refund", order: n, ctx) {
            _ = p.raw("authorization")
            try p.finish()
            return replayed
        }
        var a = try ctx.aggregate(n)
        let only = try PaymentCommands.chosenAuthorization(p, a)
        try p.finish()
        try requireNoRefundInFlight(n, ctx)
        let invoice: InvoiceDocument
        if let invoiceNumber {
            guard let inv = a.invoices.first(where: { $0.number == invoiceNumber }) else {
                throw OrderError(.notFound, "invoice: order \(n) has no invoice number \(invoiceNumber)", field: "invoice")
            }
            invoice = inv
        } else {
            guard let last = a.invoices.last else { throw OrderError.conflict("order \(n) has no invoice to credit") }
            invoice = last
        }
        let lines: [InvoiceLine]
        if let requested {
            if requested.isEmpty { throw OrderError.invalid("lines", "name at least one line") }
            lines = try InvoicePlanner.creditLines(a, invoice: invoice, units: requested)
        } else if let amount {
            lines = try InvoicePlanner.creditAmount(a, invoice: invoice, amount: amount, language: a.order.customer.language)
        } else {
            // Everything left: by units when only units were credited, else (after an amount
            // credit) what is left at each rate, which the credit rule then reverses exactly.
            let credited = a.credited(against: invoice.number)
            let unitsLeft = invoice.lines.compactMap { l -> LineQuantity? in
                let q = l.qty - (credited.units[l.sku] ?? 0)
                return q > 0 ? LineQuantity(sku: l.sku, qty: q) : nil
            }
            let amountLeft = invoice.total - credited.total
            if amountLeft <= 0 { throw OrderError.conflict("invoice \(invoice.reference) is fully credited") }
            let unitsValue = unitsLeft.reduce(Int64(0)) { s, q in
                s + (invoice.lines.first { $0.sku == q.sku }.map { InvoicePlanner.creditLine($0, units: q.qty, after: credited.units[q.sku] ?? 0).gross } ?? 0)
            }
            lines = unitsValue == amountLeft && !unitsLeft.isEmpty
                ? try InvoicePlanner.creditLines(a, invoice: invoice, units: unitsLeft)
                : try InvoicePlanner.creditAmount(a, invoice: invoice, amount: amountLeft, language: a.order.customer.language)
        }
        return try credit(lines, against: invoice, on: &a, reason: reason, refund: refund, only: only, key: key, ctx: ctx)
    }

    /// One credit at a time: its VAT follows what earlier credit notes reversed. `conflict`
    /// while a refund of order `n` is in flight.
    static func requireNoRefundInFlight(_ n: Int64, _ ctx: CommandContext) throws {
        if try ctx.session.pendingAmount(order: n, kind: "refund") > 0 {
            throw OrderError.conflict("order \(n) has a refund in flight; run payment.reconcile before the next credit note")
        }
    }

    /// Credits `lines` against `invoice`: at once (`refund` false), or by recording the refund
    /// per authorisation (`only`: just that one) under idempotency key `key` (a new one when
    /// nil); the credit note is issued when the gateway has answered (`PaymentEffects`).
    /// Checks first that the invoice has that much left to credit and the order that much
    /// captured and not refunded — after the refunds already recorded in flight, so that
    /// `return.refund` may credit several invoices in one command, each authorisation paying
    /// back at most what it captured. `extra` goes into every part's effect request. Shared by
    /// `credit_note.create` and `return.refund`.
    static func credit(_ lines: [InvoiceLine], against invoice: InvoiceDocument, on a: inout OrderAggregate, reason: String,
                       refund: Bool, only: Int64?, key: String?, extra: JSONObject = [:], ctx: CommandContext) throws -> JSON {
        let n = a.order.number
        let total = lines.reduce(0) { $0 + $1.gross }
        let left = invoice.total - a.credited(against: invoice.number).total
        if total > left {  // e.g. lines after an amount credit
            throw OrderError.conflict("invoice \(invoice.reference) has \(invoice.currency.format(left)) left to credit, asked for \(invoice.currency.format(total))")
        }
        guard refund else {
            let doc = try DocumentIssuer.issue(.credit_note, lines: lines, on: &a, ctx: ctx, creditsInvoice: invoice.number, reason: reason)
            try ctx.save(&a)
            return PaymentEffects.creditNoteResult(doc, a, ctx)
        }
        let reserved = try EffectParts.reserved(order: n, kind: "refund", ctx)
        let refundable = a.payments.captured - a.payments.refunded - reserved.values.reduce(0, +)
        let cur = a.order.currency
        if total > refundable {
            throw OrderError.policy("credit note of \(cur.format(total)) on order \(n) cannot be refunded: only \(cur.format(max(0, refundable))) is captured and not refunded; pass \"refund\": false to credit without paying back")
        }
        // Each authorisation pays back at most what it captured (oldest first, or the host's choice).
        guard let allocations = a.payments.allocateRefund(total, reserved: reserved, only: only) else {
            throw OrderError.policy("credit note of \(cur.format(total)) on order \(n) cannot be refunded through authorisation \(only ?? 0): it captured \(cur.format(only.flatMap { a.payments.authorization($0) }.map { a.payments.refundable(on: $0) } ?? 0)) not yet refunded")
        }
        let effectKey = key ?? PaymentCommands.newKey("refund", n)
        var request = extra
        request["credit"] = ["invoice": .int(invoice.number), "reason": .string(reason), "lines": .array(lines.map(\.json)), "total": .int(total)]
        let parts = try EffectParts.record("refund", .refund, group: effectKey, parts: allocations, on: a, extra: request, ctx: ctx)
        for e in parts { ctx.queue(e) }
        return ["order": .int(n), "pending": .int(total), "idempotency_key": .string(effectKey), "parts": .int(Int64(parts.count))]
    }
}
