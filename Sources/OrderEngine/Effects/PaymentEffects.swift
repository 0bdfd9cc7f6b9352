import OrderCore
import OrderStore

/// Phase 2 of the gateway effects: books what the gateway answered.
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

    static func applyCapture(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        let cur = a.order.currency
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.capture_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key)])
            ctx.emit(EngineEvent(name: "payment.capture_failed", order: e.order, amount: e.amount,
                                 detail: ["reason": .string(code), "message": .string(reason)]))
            let msg = code == "authorization_expired"
                ? "capture of \(cur.format(e.amount)) on order \(e.order) failed: the authorisation has expired at the gateway; ask the customer to pay again"
                : "capture of \(cur.format(e.amount)) on order \(e.order) failed (\(code)): \(reason)"
            return Outcome(result: .null, error: OrderError(.port, msg))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        let method = e.request["gateway"]?["method"]?.stringValue ?? "card"
        for (k, (auth, amount)) in allocations(e).enumerated() {
            let row = try ctx.session.appendPayment(order: e.order, PaymentTransaction(
                id: 0, kind: .capture, amount: amount, method: method, reference: reference, idempotencyKey: key(e, k),
                authorization: auth, at: ctx.now))
            a.payments.append(row)
        }
        try ctx.save(&a)
        try ctx.record(order: e.order, event: "payment.captured", amount: e.amount,
                       detail: ["reference": .string(reference), "idempotency_key": .string(e.key)])
        ctx.emit(EngineEvent(name: "payment.captured", order: e.order, amount: e.amount, detail: ["reference": .string(reference)]))
        var invoice: InvoiceDocument?
        if ctx.settings.invoiceOnCapture {
            let lines = InvoicePlanner.linesForCapturedGoods(a, policy: ctx.settings.capturePolicy)
            if !lines.isEmpty { invoice = try DocumentIssuer.issue(.invoice, lines: lines, on: &a, ctx: ctx) }
        }
        return Outcome(result: [
            "order": .int(e.order), "captured": .int(e.amount), "captured_total": .int(a.payments.captured),
            "authorized": .int(a.payments.authorized), "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
            "reference": .string(reference), "idempotency_key": .string(e.key),
            "invoice": .optional(invoice?.number), "invoice_reference": .optional(invoice?.reference),
        ], error: nil)
    }

    static func applyRefund(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        let cur = a.order.currency
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.refund_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key)])
            return Outcome(result: .null, error: OrderError(.port,
                "refund of \(cur.format(e.amount)) on order \(e.order) failed (\(code)): \(reason); no credit note was issued"))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        let method = e.request["gateway"]?["method"]?.stringValue ?? "card"
        let row = try ctx.session.appendPayment(order: e.order, PaymentTransaction(
            id: 0, kind: .refund, amount: e.amount, method: method, reference: reference, idempotencyKey: e.key,
            authorization: e.request["authorization"]?.intValue, at: ctx.now))
        a.payments.append(row)
        try ctx.record(order: e.order, event: "payment.refunded", amount: e.amount,
                       detail: ["reference": .string(reference), "idempotency_key": .string(e.key)])
        ctx.emit(EngineEvent(name: "payment.refunded", order: e.order, amount: e.amount, detail: ["reference": .string(reference)]))
        let credit = e.request["credit"] ?? .null
        let doc = try DocumentIssuer.issue(
            .credit_note, lines: (credit["lines"]?.arrayValue ?? []).compactMap(InvoiceLine.init(stored:)), on: &a, ctx: ctx,
            creditsInvoice: credit["invoice"]?.intValue, reason: credit["reason"]?.stringValue, refunded: e.amount)
        try ctx.save(&a)
        return Outcome(result: creditNoteResult(doc, a, ctx), error: nil)
    }

    static func creditNoteResult(_ doc: InvoiceDocument, _ a: OrderAggregate, _ ctx: CommandContext) -> JSON {
        [
            "order": .int(a.order.number), "credit_note": .int(doc.number), "reference": .string(doc.reference),
            "credits_invoice": .optional(doc.creditsInvoice), "total": .int(doc.total), "refunded": .int(doc.refunded),
            "refunded_total": .int(a.payments.refunded), "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
            "document": doc.json,
        ]
    }

    static func applyVoid(_ e: EffectRecord, _ answer: EffectRunner.Answer, _ ctx: CommandContext) throws -> Outcome {
        var a = try ctx.aggregate(e.order)
        if let (code, reason) = failure(answer) {
            try ctx.record(order: e.order, event: "payment.void_failed", amount: e.amount,
                           detail: ["reason": .string(code), "message": .string(reason), "idempotency_key": .string(e.key)])
            return Outcome(result: .null, error: OrderError(.port, "void on order \(e.order) failed (\(code)): \(reason)"))
        }
        guard case .gateway(.approved(let reference)) = answer else { fatalError("unreachable") }
        let method = e.request["gateway"]?["method"]?.stringValue ?? "card"
        for (k, (auth, amount)) in allocations(e).enumerated() {
            // Only what the authorisation still holds now (a capture may have raced the void).
            guard let authRow = a.payments.rows.first(where: { $0.id == auth }) else { continue }
            let amt = min(amount, a.payments.remaining(of: authRow))
            guard amt > 0 else { continue }
            a.payments.append(try ctx.session.appendPayment(order: e.order, PaymentTransaction(
                id: 0, kind: .void, amount: amt, method: method, reference: reference, idempotencyKey: key(e, k),
                authorization: auth, at: ctx.now)))
        }
        try ctx.save(&a)
        try ctx.record(order: e.order, event: "payment.voided", amount: e.amount, detail: ["reference": .string(reference)])
        ctx.emit(EngineEvent(name: "payment.voided", order: e.order, amount: e.amount))
        return Outcome(result: [
            "order": .int(e.order), "voided": .int(e.amount), "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
        ], error: nil)
    }
}
