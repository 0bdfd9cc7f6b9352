import OrderCore
import OrderStore

/// `payment.authorize`, `payment.capture`, `payment.void`, `payment.check`, `payment.reconcile`.
enum PaymentCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("payment.authorize", .write, "record an authorisation from checkout; sets its expiry from the validity table", run: authorize))
        r.register(Command("payment.capture", .write, "capture all or part through the gateway; obeys the capture policy", run: capture))
        r.register(Command("payment.void", .write, "release what the authorisations still hold", run: void))
        r.register(Command("payment.check", .read, "Tjek betalinger: authorisations expired or expiring within N days, not captured", run: check))
        r.register(Command("payment.reconcile", .write, "resolve gateway effects left pending by a crash, by asking the gateway by idempotency key", run: reconcile))
    }

    /// A fresh idempotency key: `<kind>-<order>-<random>`.
    static func newKey(_ kind: String, _ order: Int64) -> String {
        let r = UInt64.random(in: 0...UInt64.max)
        return "\(kind)-\(order)-\(String(r, radix: 36))"
    }

    static func idempotencyKey(_ p: ParamReader) throws -> String? {
        try p.string("idempotency_key", maxLength: 200)
    }

    /// A retried capture, void or refund: with a key already recorded for the same kind and
    /// order, returns the first outcome (a success replays its result, a failure its error,
    /// one still in flight is a `conflict`) instead of asking the gateway again. Nil when the
    /// key is new; `conflict` when it belongs to another kind of effect or another order.
    /// A multi-part effect replays as a whole: pending while any part is, failed if one failed.
    static func replay(_ key: String?, kind: String, order n: Int64, _ ctx: CommandContext) throws -> JSON? {
        guard let key, let done = try ctx.session.effect(key: key) else { return nil }
        guard done.kind == kind, done.order == n else {
            throw OrderError(.conflict, "idempotency_key: '\(key)' was used for a \(done.kind) on order \(done.order)", field: "idempotency_key")
        }
        let parts = EffectParts.count(of: done) > 1 ? try ctx.session.effects(group: key) : [done]
        if parts.contains(where: { $0.state == "pending" }) {
            throw OrderError.conflict("the \(kind) under key '\(key)' is still in flight; run payment.reconcile")
        }
        if let failed = parts.first(where: { $0.state != "succeeded" }) {
            throw OrderError(.port, failed.result["message"]?.stringValue ?? "the \(kind) under key '\(key)' failed")
        }
        guard parts.count > 1, case .object(var o)? = parts.last?.result else { return parts.last?.result }
        let total = parts.reduce(0) { $0 + $1.amount }
        switch kind {
        case "capture": o["captured"] = .int(total)
        case "void": o["voided"] = .int(total)
        default: break
        }
        o["parts"] = .array(parts.map { ["authorization": .optional(EffectParts.authorization(of: $0)), "amount": .int($0.amount),
                                         "idempotency_key": .string($0.key), "ok": true] })
        return .object(o)
    }

    /// The optional `authorization` parameter: the id of one of the order's authorisations
    /// that alone should carry the capture, void or refund (the host's choice).
    static func chosenAuthorization(_ p: ParamReader, _ a: OrderAggregate) throws -> Int64? {
        guard let id = try p.int("authorization", in: 1...Int64.max) else { return nil }
        guard a.payments.authorization(id) != nil else {
            throw OrderError(.notFound, "authorization: order \(a.order.number) has no authorisation \(id)", field: "authorization")
        }
        return id
    }

    /// Why nothing (or not enough) can be captured on the valid authorisations: names the
    /// expired ones and what is left to collect.
    static func authorizationShortfall(_ a: OrderAggregate, amount: Int64, reserved: [Int64: Int64], only: Int64?, _ ctx: CommandContext) -> OrderError {
        let cur = a.order.currency
        let n = a.order.number
        let valid = a.payments.validAuthorizations(at: ctx.now).filter { only == nil || $0.id == only }
        let holds = valid.reduce(0) { $0 + a.payments.remaining(of: $1) - (reserved[$1.id] ?? 0) }
        var msg = "capture of \(cur.format(amount)) on order \(n): the valid authorisations\(only.map { " (only \($0))" } ?? "") hold \(cur.format(max(0, holds)))"
        let expired = a.payments.expiredAuthorizations(at: ctx.now).filter { only == nil || $0.id == only }
        if !expired.isEmpty {
            msg += "; expired, carrying nothing: " + expired.map {
                "authorisation \($0.id) (\($0.method)\($0.reference.map { ", \($0)" } ?? "")) of \(cur.format(a.payments.remaining(of: $0))), expired \($0.expiresAt?.iso8601 ?? "")"
            }.joined(separator: "; ")
            msg += "; ask the customer to pay again (payment.authorize)"
        }
        return OrderError.policy(msg)
    }

    static func authorize(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let amount = try p.requiredAmount("amount", positive: true)
        let method = try p.requiredString("method", maxLength: 40).lowercased()
        let reference = try p.string("reference", maxLength: 200)
        let preauth = try p.bool("preauthorization") ?? false
        let key = try idempotencyKey(p)
        try p.finish()
        var a = try ctx.aggregate(n)
        if let key, let existing = a.payments.rows.first(where: { $0.kind == .authorize && $0.idempotencyKey == key }) {
            return ["order": .int(n), "authorization": .int(existing.id), "amount": .int(existing.amount),
                    "expires_at": .optional(existing.expiresAt?.iso8601), "replayed": true,
                    "payment_state": .string(a.paymentState(at: ctx.now).rawValue)]
        }
        if let key, let other = try ctx.session.orderOfPayment(idempotencyKey: key) {
            throw OrderError(.conflict, "idempotency_key: '\(key)' was already used for a payment on order \(other)", field: "idempotency_key")
        }
        if a.order.status == "cancelled" { throw OrderError.policy("order \(n) is cancelled; it cannot be authorised") }
        // Expired and voided authorisations carry nothing: a new payment after expiry is
        // accepted up to the total minus what is captured and validly authorised.
        let holding = a.payments.committed(at: ctx.now)
        if holding + amount > a.order.total {
            let cur = a.order.currency
            throw OrderError.invalid("amount", "authorising \(cur.format(amount)) would bring order \(n) to \(cur.format(holding + amount)) captured and validly authorised, above its total of \(cur.format(a.order.total)); at most \(cur.format(max(0, a.order.total - holding))) may be authorised")
        }
        let expires = ctx.settings.authorizationValidity.expiry(method: method, preauthorization: preauth, at: ctx.now)
        let row = try ctx.session.appendPayment(order: n, PaymentTransaction(
            id: 0, kind: .authorize, amount: amount, method: method, reference: reference, idempotencyKey: key, at: ctx.now, expiresAt: expires))
        a.payments.append(row)
        try ctx.save(&a)
        try ctx.record(order: n, event: "payment.authorized", amount: amount,
                       detail: ["method": .string(method), "expires_at": .string(expires.iso8601), "reference": .optional(reference)])
        ctx.emit(EngineEvent(name: "payment.authorized", order: n, amount: amount, detail: ["method": .string(method)]))
        // Fully authorised: the order is no longer waiting for payment.
        if a.order.status == StatusGraph.initialStatus, holding + amount >= a.order.total, ctx.statuses.allows(from: a.order.status, to: "received") {
            try StatusChange.apply(&a, to: "received", ctx: ctx, note: "payment authorised")
        }
        return ["order": .int(n), "authorization": .int(row.id), "amount": .int(amount), "method": .string(method),
                "expires_at": .string(expires.iso8601), "status": .string(a.order.status),
                "payment_state": .string(a.paymentState(at: ctx.now).rawValue)]
    }

    static func capture(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let requested = try p.amount("amount", positive: true)
        let key = try idempotencyKey(p)
        let expected = try p.int("expected_version")
        let rate = try ExchangeRate.read(p, "exchange_rate")
        // Locked before the replay check and the pending amount are read: two captures of one
        // order on two servers never both see nothing in flight.
        try ctx.lock(n)
        if let replayed = try replay(key, kind: "capture", order: n, ctx) {
            _ = p.raw("authorization")
            try p.finish()
            return replayed
        }
        let a = try ctx.aggregate(n, expectedVersion: expected)
        let only = try chosenAuthorization(p, a)
        try p.finish()
        if a.order.status == "cancelled" { throw OrderError.policy("order \(n) is cancelled; nothing may be captured") }
        let policy = ctx.settings.capturePolicy
        let cur = a.order.currency
        let reserved = try EffectParts.reserved(order: n, kind: "capture", ctx)
        let inFlight = reserved.values.reduce(0, +)
        if inFlight > 0 {
            throw OrderError.conflict("order \(n) has a capture of \(cur.format(inFlight)) in flight; run payment.reconcile before capturing again")
        }
        let allowance = policy.allowance(a, now: ctx.now)
        // Whole units only: the capture's invoice covers exactly what it draws.
        let open = CapturePlan.open(a, policy: policy)
        let uninvoiced = CapturePlan.uninvoicedCaptured(a)
        let prepaid = OnAccount.open(a)
        let amount = requested ?? CapturePlan.largest(fitting: allowance.limit, from: open, uninvoiced: uninvoiced + prepaid)
        if requested == nil, amount <= 0, prepaid > 0, uninvoiced >= 0, ctx.settings.invoiceOnCapture,
           case .goods? = CapturePlan.plan(money: uninvoiced, on: a, policy: policy, onAccount: false) {
            // Released goods that the money paid on account covers: the final invoice, no money moves.
            try DocumentIssuer.refuseRateForDKK(rate, a)
            return try finalInvoiceWithoutCapture(a, uninvoiced: uninvoiced, rate: rate, ctx)
        }
        if amount <= 0 {
            throw OrderError.policy("nothing may be captured on order \(n) now under capture policy \(policy.rawValue): "
                + "released \(cur.format(allowance.released)), captured \(cur.format(allowance.captured)), "
                + "validly authorised and not captured \(cur.format(a.payments.capturable(at: ctx.now)))"
                + (a.payments.expiredAuthorizations(at: ctx.now).isEmpty ? "" : " (an authorisation has expired; ask the customer to pay again)"))
        }
        try policy.check(amount, on: a, now: ctx.now)
        // Whole units (less what is open on account), or with capture.on_account an on-account invoice.
        guard let plan = CapturePlan.plan(money: amount + uninvoiced, on: a, policy: policy, onAccount: ctx.settings.captureOnAccount) else {
            throw CapturePlan.refusal(amount, on: a, open: open, limit: allowance.limit, suggestOnAccount: !ctx.settings.captureOnAccount)
        }
        // The capture issues its invoice: everything it needs is checked before money moves.
        try DocumentIssuer.refuseRateForDKK(rate, a)
        if rate != nil && !ctx.settings.invoiceOnCapture {
            // Refused rather than kept: the rate belongs to the invoice, which invoice.create issues later (perhaps days later, at that day's rate).
            throw OrderError.invalid("exchange_rate", "order \(n): this capture issues no invoice (setting invoice_on_capture is false); pass exchange_rate to invoice.create")
        }
        if ctx.settings.invoiceOnCapture { try DocumentIssuer.checkInvoice(total: plan.linesTotal, on: a, ctx: ctx, exchangeRate: rate) }
        guard let allocations = a.payments.allocateCapture(amount, reserved: reserved, now: ctx.now, only: only) else {
            throw authorizationShortfall(a, amount: amount, reserved: reserved, only: only, ctx)
        }
        let group = key ?? newKey("capture", n)
        // The rate travels with the capture to the invoice its last part issues.
        var extra: JSONObject = rate.map { ["exchange_rate": .string($0.description)] } ?? [:]
        if case .onAccount = plan { extra["on_account"] = true }
        let parts = try EffectParts.record("capture", .capture, group: group, parts: allocations, on: a, extra: extra, ctx: ctx)
        for e in parts { ctx.queue(e) }
        return ["order": .int(n), "pending": .int(amount), "idempotency_key": .string(group), "parts": .int(Int64(parts.count))]
    }

    /// A capture without an amount when the released goods are paid on account already: issues
    /// their final invoice (deducting the on-account invoices) and moves no money.
    private static func finalInvoiceWithoutCapture(_ a: OrderAggregate, uninvoiced: Int64, rate: ExchangeRate?, _ ctx: CommandContext) throws -> JSON {
        var a = a
        guard let plan = CapturePlan.plan(money: uninvoiced, on: a, policy: ctx.settings.capturePolicy, onAccount: false) else {
            throw OrderError.conflict("order \(a.order.number): nothing to invoice")
        }
        let doc = try DocumentIssuer.issue(plan, on: &a, ctx: ctx, exchangeRate: rate)
        try ctx.save(&a)
        return ["order": .int(a.order.number), "captured": 0, "captured_total": .int(a.payments.captured),
                "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
                "invoice": .int(doc.number), "invoice_reference": .string(doc.reference),
                "deducted": .int(doc.deductions.reduce(0) { $0 + $1.gross })]
    }

    /// Records a void of everything the valid authorisations (or only `only`) still hold, one
    /// pending effect per authorisation. Expired authorisations are not voided: they lapse.
    static func recordVoid(_ a: inout OrderAggregate, ctx: CommandContext, key: String?, only: Int64? = nil) throws -> [EffectRecord] {
        let n = a.order.number
        let valid = a.payments.validAuthorizations(at: ctx.now).filter { only == nil || $0.id == only }
        let parts = valid.map { ($0.id, a.payments.remaining(of: $0)) }.filter { $0.1 > 0 }
        guard !parts.isEmpty else {
            let expired = a.payments.expiredAuthorizations(at: ctx.now)
            throw OrderError.conflict("order \(n) has no valid authorisation to void"
                + (expired.isEmpty ? "" : " (authorisation \(expired.map { String($0.id) }.joined(separator: ", ")) expired and lapses by itself)"))
        }
        return try EffectParts.record("void", .void, group: key ?? newKey("void", n), parts: parts, on: a, ctx: ctx)
    }

    static func void(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let key = try idempotencyKey(p)
        if let replayed = try replay(key, kind: "void", order: n, ctx) {
            _ = p.raw("authorization")
            try p.finish()
            return replayed
        }
        var a = try ctx.aggregate(n)
        let only = try chosenAuthorization(p, a)
        try p.finish()
        if try ctx.session.pendingAmount(order: n, kind: "capture") > 0 {
            throw OrderError.conflict("order \(n) has a capture in flight; run payment.reconcile before voiding")
        }
        let parts = try recordVoid(&a, ctx: ctx, key: key, only: only)
        for e in parts { ctx.queue(e) }
        return ["order": .int(n), "pending": .int(parts.reduce(0) { $0 + $1.amount }), "idempotency_key": .string(EffectParts.group(of: parts[0])),
                "parts": .int(Int64(parts.count))]
    }

    static func check(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let days = try p.int("days", in: 0...365) ?? 2
        let limit = try p.int("limit", in: 1...10_000) ?? 1000
        try p.finish()
        let horizon = ctx.now.adding(days: days)
        var out: [JSON] = []
        let expiring = try ctx.session.ordersWithAuthorizationsExpiring(before: horizon, limit: Int(limit))
        // One batched load, not one per order (on PostgreSQL each load is a round trip).
        let aggregates = try ctx.session.loadAggregates(expiring)
        for n in expiring {
            guard let a = aggregates[n] else { continue }
            // What is left to collect: the total less what is captured and validly authorised.
            let leftToCollect = max(0, a.order.total - a.payments.committed(at: ctx.now))
            for auth in a.payments.openAuthorizations {
                guard let exp = auth.expiresAt, exp <= horizon else { continue }
                let expired = exp <= ctx.now
                // An expired authorisation that a new payment has replaced needs nothing more.
                if expired && leftToCollect == 0 { continue }
                let secondsLeft = exp.seconds - ctx.now.seconds
                let cur = a.order.currency
                let uncaptured = a.payments.remaining(of: auth)
                out.append([
                    "order": .int(n), "reference": .string(a.order.reference), "status": .string(a.order.status),
                    "customer": .string(a.order.customer.name), "method": .string(auth.method), "authorization": .int(auth.id),
                    "authorization_reference": .optional(auth.reference),
                    "authorized": .int(auth.amount), "uncaptured": .int(uncaptured),
                    "expires_at": .string(exp.iso8601), "expired": .bool(expired),
                    "days_left": .int(secondsLeft <= 0 ? 0 : (secondsLeft + 86_399) / 86_400),
                    "left_to_collect": .int(leftToCollect),
                    "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
                    "message": .string(expired
                        ? "authorisation \(auth.id) (\(auth.method)) of order \(n) expired \(exp.iso8601) with \(cur.format(uncaptured)) uncaptured; \(cur.format(leftToCollect)) is left to collect: ask the customer to pay again"
                        : "authorisation \(auth.id) (\(auth.method)) of order \(n) expires \(exp.iso8601) with \(cur.format(uncaptured)) uncaptured"),
                ])
            }
        }
        let expired = out.filter { $0["expired"]?.boolValue == true }.count
        let short = try partiallyAuthorized(ctx, limit: limit)
        return ["as_of": .string(ctx.now.iso8601), "days": .int(days), "expired": .int(Int64(expired)),
                "expiring": .int(Int64(out.count - expired)), "authorizations": .array(out),
                "to_authorize": .int(Int64(short.count)), "partially_authorized": .array(short),
                "pending_effects": try PendingEffects.report(ctx)]
    }

    /// The orders whose authorisation holds less than their total (payment_state
    /// `partially_authorized`, not expired), oldest first, each with what is left to authorise.
    private static func partiallyAuthorized(_ ctx: CommandContext, limit: Int64) throws -> [JSON] {
        var f = OrderFilter()
        f.paymentStates = [.partially_authorized]
        var out: [JSON] = []
        let numbers = try ctx.session.findOrderNumbers(f, now: ctx.now, limit: limit)
        let aggregates = try ctx.session.loadAggregates(numbers)
        for n in numbers {
            guard let a = aggregates[n] else { continue }
            let left = a.leftToAuthorize(at: ctx.now)
            let cur = a.order.currency
            out.append([
                "order": .int(n), "reference": .string(a.order.reference), "status": .string(a.order.status),
                "customer": .string(a.order.customer.name), "total": .int(a.order.total),
                "authorized": .int(a.payments.committed(at: ctx.now)), "left_to_authorize": .int(left),
                "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
                "message": .string("order \(n) totals \(cur.format(a.order.total)) but only \(cur.format(a.order.total - left)) is authorised; \(cur.format(left)) is left to authorise: ask the customer to pay the difference"),
            ])
        }
        return out
    }

    static func reconcile(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let olderThan = try p.int("older_than_seconds", in: 0...(86_400 * 365)) ?? 0
        let includeUnnamed = try p.bool("include_unnamed") ?? false
        try p.finish()
        // Only the gateway an effect was sent to is asked about it; the rest stay pending.
        let identity = ctx.engine.configuration.gateway.identity
        var left: [JSON] = []
        var asked = 0
        for e in try ctx.session.pendingEffects(createdBefore: ctx.now.adding(seconds: -olderThan)) {
            if PendingEffects.obstacle(e, gateway: identity, includeUnnamed: includeUnnamed) != nil {
                left.append(PendingEffects.describe(e, gateway: identity, now: ctx.now))
                continue
            }
            var claimed = e
            claimed.gateway = identity
            ctx.effects.append(QueuedEffect(record: claimed, primary: false, lookupOnly: true))
            asked += 1
        }
        return ["checked": .int(Int64(asked)), "effects": [], "left_pending": .array(left)]
    }
}
