import OrderCore
import OrderStore

/// Phase 2 of the gateway effects: books what the gateway answered, one part (one
/// authorisation) at a time; the last part of a group issues what depends on the whole — the
/// invoice of a capture, the credit note of a refund (`EffectParts`).
enum PaymentEffects {
    typealias Outcome = EffectRunner.Outcome

    private static func failure(_ answer: EffectRunner.Answer) -> (code: String, reason: String)? {
        switch answer {
        case .gateway(.approved): nil
        case .gateway(.declined(let r)): ("declined", r)
        case .gateway(.authorizationExpired): ("authorization_expired", "the authorisation has expired at the gateway")
        case .failed(let r): ("failed", r)
        }
    }

    private static func allocations(_ e: EffectRecord) -> [(Int64, Int64)] {
        (e.request["allocations"]?.arrayValue ?? []).compactMap { pair in
            guard let a = pair.arrayValue, a.count == 2, let id = a[0].intValue, let amt = a[1].intValue else { return nil }
            return (id, amt)
        }
    }

    private static func key(_ e: EffectRecord, _ k: Int) -> String { k == 0 ? e.key : "\(e.key)#\(k + 1)" }

    /// The payment method of authorisation `auth` (the request's for older effects).
    private static func method(_ a: OrderAggregate, _ auth: Int64?, _ e: EffectRecord) -> String {
        auth.flatMap { a.payments.authorization($0)?.method } ?? e.request["gateway"]?["method"]?.stringValue ?? "card"
    }

    /// "authorisation 3 (mobilepay)" for messages.
    private static func which(_ a: OrderAggregate, _ e: EffectRecord) -> String {
        guard let id = EffectParts.authorization(of: e) else { return "the authorisation" }
        return "authorisation \(id) (\(method(a, id, e)))"
    }

    // MARK: - Capture

    static func applyCapture(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        let cur = a.order.currency
        let auth = EffectParts.authorization(of: e)
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.capture_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key),
                                    "authorization": .optional(auth)])
            ctx.emit(EngineEvent(name: "payment.capture_failed", order: e.order, amount: e.amount,
                                 detail: ["reason": .string(code), "message": .string(reason)]))
            _ = try finishCapture(e, &a, ctx)
            let msg = code == "authorization_expired"
                ? "capture of \(cur.format(e.amount)) on order \(e.order) failed: the authorisation has expired at the gateway (\(which(a, e))); ask the customer to pay again"
                : "capture of \(cur.format(e.amount)) on order \(e.order) failed (\(code)) on \(which(a, e)): \(reason)"
            return Outcome(result: .null, error: OrderError(.port, msg))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        for (k, (authId, amount)) in allocations(e).enumerated() {
            let row = try ctx.session.appendPayment(order: e.order, PaymentTransaction(
                id: 0, kind: .capture, amount: amount, method: method(a, authId, e), reference: reference, idempotencyKey: key(e, k),
                authorization: authId, at: ctx.now))
            a.payments.append(row)
        }
        try ctx.save(&a)
        try ctx.record(order: e.order, event: "payment.captured", amount: e.amount,
                       detail: ["reference": .string(reference), "idempotency_key": .string(e.key), "authorization": .optional(auth),
                                "method": .string(method(a, auth, e))])
        ctx.emit(EngineEvent(name: "payment.captured", order: e.order, amount: e.amount, detail: ["reference": .string(reference)]))
        let invoice = try finishCapture(e, &a, ctx)
        return Outcome(result: [
            "order": .int(e.order), "captured": .int(e.amount), "captured_total": .int(a.payments.captured),
            "authorized": .int(a.payments.authorized), "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
            "reference": .string(reference), "idempotency_key": .string(EffectParts.group(of: e)),
            "authorization": .optional(auth), "method": .string(method(a, auth, e)),
            "invoice": .optional(invoice?.number), "invoice_reference": .optional(invoice?.reference),
        ], error: nil)
    }

    /// When `e` is the last part of its capture to be resolved: issues the invoice for the
    /// captured money that no invoice covers yet, as whole units of released goods (deducting
    /// what is open on account), or as an on-account invoice (`CapturePlan.plan`). If a part
    /// failed and the captured money is no such sum, nothing is issued; the difference stays
    /// visible (`uninvoiced_captured` in `order.get`) until the rest is captured.
    static func finishCapture(_ e: EffectRecord, _ a: inout OrderAggregate, _ ctx: CommandContext) throws -> InvoiceDocument? {
        guard ctx.settings.invoiceOnCapture, try EffectParts.isLast(e, ctx) else { return nil }
        let target = CapturePlan.uninvoicedCaptured(a)
        // An on-account invoice when the capture was planned as one, or when the setting allows
        // it for money a failed part left short of whole units.
        let onAccount = ctx.settings.captureOnAccount || e.request["on_account"]?.boolValue == true
        guard target > 0, let plan = CapturePlan.plan(money: target, on: a, policy: ctx.settings.capturePolicy, onAccount: onAccount)
        else { return nil }
        do {
            return try DocumentIssuer.issue(plan, on: &a, ctx: ctx, exchangeRate: ExchangeRate.stored(e.request["exchange_rate"]))
        } catch let e as OrderError where e.code == .policy {
            // Checked before the capture; if the seller or buyer changed since, the money that
            // moved is still booked, and the refusal is on the timeline (invoice.create later).
            try ctx.record(order: a.order.number, event: "invoice.deferred", amount: target, detail: ["message": .string(e.message)])
            return nil
        }
    }

    // MARK: - Refund

    static func applyRefund(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        let cur = a.order.currency
        let auth = EffectParts.authorization(of: e)
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.refund_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key),
                                    "authorization": .optional(auth)])
            let doc = try finishRefund(e, &a, ctx)
            return Outcome(result: .null, error: OrderError(.port,
                "refund of \(cur.format(e.amount)) on order \(e.order) failed (\(code)) on \(which(a, e)): \(reason); "
                    + (doc.map { "credit note \($0.reference) covers the \(cur.format($0.refunded)) the other authorisations refunded" }
                        ?? "no credit note was issued")))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        let row = try ctx.session.appendPayment(order: e.order, PaymentTransaction(
            id: 0, kind: .refund, amount: e.amount, method: method(a, auth, e), reference: reference, idempotencyKey: e.key,
            authorization: auth, at: ctx.now))
        a.payments.append(row)
        try ctx.save(&a)
        try ctx.record(order: e.order, event: "payment.refunded", amount: e.amount,
                       detail: ["reference": .string(reference), "idempotency_key": .string(e.key), "authorization": .optional(auth),
                                "method": .string(method(a, auth, e))])
        ctx.emit(EngineEvent(name: "payment.refunded", order: e.order, amount: e.amount, detail: ["reference": .string(reference)]))
        guard let doc = try finishRefund(e, &a, ctx) else {
            return Outcome(result: ["order": .int(e.order), "refunded": .int(e.amount), "authorization": .optional(auth),
                                    "refunded_total": .int(a.payments.refunded)], error: nil)
        }
        var result = creditNoteResult(doc, a, ctx)
        if case .object(var o) = result, let r = try ReturnRefund.owner(of: e, ctx) {
            // A return's refund may be several credit notes (one per invoice): all of them.
            o["return"] = r.json
            let docs = r.creditNotes.compactMap { n in a.creditNotes.first { $0.number == n } }
            o["credit_notes"] = .array(docs.map { d in
                ["credit_note": .int(d.number), "reference": .string(d.reference), "credits_invoice": .optional(d.creditsInvoice),
                 "total": .int(d.total), "refunded": .int(d.refunded)]
            })
            o["credited"] = .int(docs.reduce(0) { $0 + $1.total })
            if let note = ReturnRefund.alreadyCreditedNote(r, a.order.currency) { o["note"] = note }
            result = .object(o)
        }
        return Outcome(result: result, error: nil)
    }

    /// When `e` is the last part of its refund to be resolved: issues the credit note — with
    /// the requested lines when every part was refunded, else as an amount credit (split per
    /// rate, `CreditRule`) of what the parts that went through refunded, so the credit note
    /// always equals the money paid back. Nothing when no part was refunded.
    /// A return refunded this way (`return.refund`) is settled with the outcome (`ReturnRefund.settle`).
    static func finishRefund(_ e: EffectRecord, _ a: inout OrderAggregate, _ ctx: CommandContext) throws -> InvoiceDocument? {
        guard try EffectParts.isLast(e, ctx) else { return nil }
        let doc = try issueRefundCreditNote(e, &a, ctx)
        try ReturnRefund.settle(e, doc, a, ctx)
        return doc
    }

    private static func issueRefundCreditNote(_ e: EffectRecord, _ a: inout OrderAggregate, _ ctx: CommandContext) throws -> InvoiceDocument? {
        let keys = EffectParts.keys(of: e)
        let refunded = a.payments.rows.reduce(Int64(0)) { $1.kind == .refund && keys.contains($1.idempotencyKey ?? "") ? $0 + $1.amount : $0 }
        guard refunded > 0 else { return nil }
        let credit = e.request["credit"] ?? .null
        let planned = (credit["lines"]?.arrayValue ?? []).compactMap(InvoiceLine.init(stored:))
        let plannedTotal = credit["total"]?.intValue ?? planned.reduce(0) { $0 + $1.gross }
        let invoiceNumber = credit["invoice"]?.intValue
        var lines = planned
        var reason = credit["reason"]?.stringValue
        if refunded != plannedTotal, let inv = a.invoices.first(where: { $0.number == invoiceNumber }) {
            // A return's part: split over its own goods' VAT rates, not the whole invoice's (the
            // retry credits the rest within the same lines).
            let lang = a.order.customer.language
            let withinPlanned = e.request["return"] != nil
                ? try? InvoicePlanner.creditAmount(a, invoice: inv, amount: refunded, within: planned, language: lang) : nil
            lines = withinPlanned ?? (try? InvoicePlanner.creditAmount(a, invoice: inv, amount: refunded, language: lang)) ?? planned
            reason = (reason ?? "") + (a.order.customer.language == .da ? " (delvis refunderet)" : " (partly refunded)")
        }
        return try DocumentIssuer.issue(.credit_note, lines: lines, on: &a, ctx: ctx, creditsInvoice: invoiceNumber, reason: reason,
                                        refunded: refunded)
    }

    static func creditNoteResult(_ doc: InvoiceDocument, _ a: OrderAggregate, _ ctx: CommandContext) -> JSON {
        [
            "order": .int(a.order.number), "credit_note": .int(doc.number), "reference": .string(doc.reference),
            "credits_invoice": .optional(doc.creditsInvoice), "total": .int(doc.total), "refunded": .int(doc.refunded),
            "refunded_total": .int(a.payments.refunded), "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
            "document": doc.json,
        ]
    }

    // MARK: - Void

    static func applyVoid(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.void_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key),
                                    "authorization": .optional(EffectParts.authorization(of: e))])
            return Outcome(result: .null, error: OrderError(.port, "void on order \(e.order) failed (\(code)) on \(which(a, e)): \(reason)"))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        var voided: Int64 = 0
        for (k, (auth, amount)) in allocations(e).enumerated() {
            // Only what the authorisation still holds now (a capture may have raced the void).
            guard let authRow = a.payments.authorization(auth) else { continue }
            let amt = min(amount, a.payments.remaining(of: authRow))
            guard amt > 0 else { continue }
            voided += amt
            a.payments.append(try ctx.session.appendPayment(order: e.order, PaymentTransaction(
                id: 0, kind: .void, amount: amt, method: authRow.method, reference: reference, idempotencyKey: key(e, k),
                authorization: auth, at: ctx.now)))
        }
        try ctx.save(&a)
        try ctx.record(order: e.order, event: "payment.voided", amount: voided,
                       detail: ["reference": .string(reference), "authorization": .optional(EffectParts.authorization(of: e))])
        ctx.emit(EngineEvent(name: "payment.voided", order: e.order, amount: voided))
        return Outcome(result: [
            "order": .int(e.order), "voided": .int(voided), "authorization": .optional(EffectParts.authorization(of: e)),
            "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
        ], error: nil)
    }
}
