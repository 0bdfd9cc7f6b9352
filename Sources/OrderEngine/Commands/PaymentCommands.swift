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
    static func replay(_ key: String?, kind: String, order n: Int64, _ ctx: CommandContext) throws -> JSON? {
        guard let key, let done = try ctx.session.effect(key: key) else { return nil }
        guard done.kind == kind, done.order == n else {
            throw OrderError(.conflict, "idempotency_key: '\(key)' was used for a \(done.kind) on order \(done.order)", field: "idempotency_key")
        }
        switch done.state {
        case "succeeded": return done.result
        case "pending": throw OrderError.conflict("the \(kind) under key '\(key)' is still in flight; run payment.reconcile")
        default: throw OrderError(.port, done.result["message"]?.stringValue ?? "the \(kind) under key '\(key)' failed")
        }
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
        let holding = a.payments.authorized - a.payments.voided
        if holding + amount > a.order.total {
            throw OrderError.invalid("amount", "authorising \(a.order.currency.format(amount)) would bring order \(n) to \(a.order.currency.format(holding + amount)) authorised, above its total of \(a.order.currency.format(a.order.total))")
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
        try p.finish()
        if let replayed = try replay(key, kind: "capture", order: n, ctx) { return replayed }
        let a = try ctx.aggregate(n, expectedVersion: expected)
        if a.order.status == "cancelled" { throw OrderError.policy("order \(n) is cancelled; nothing may be captured") }
        let policy = ctx.settings.capturePolicy
        let inFlight = try ctx.session.pendingAmount(order: n, kind: "capture")
        let allowance = policy.allowance(a, inFlight: inFlight)
        let amount = requested ?? allowance.limit
        if amount == 0 {
            let cur = a.order.currency
            throw OrderError.policy("nothing may be captured on order \(n) now under capture policy \(policy.rawValue): "
                + "released \(cur.format(allowance.released)), captured \(cur.format(allowance.captured)), "
                + "authorised and not captured \(cur.format(a.payments.uncaptured))"
                + (inFlight > 0 ? ", in flight \(cur.format(inFlight))" : ""))
        }
        try policy.check(amount, on: a, inFlight: inFlight)
        guard let allocations = a.payments.allocateCapture(amount, reserved: inFlight, now: ctx.now), let first = allocations.first,
              let auth = a.payments.rows.first(where: { $0.id == first.0 })
        else { throw OrderError.policy("order \(n): the authorisations do not hold \(a.order.currency.format(amount))") }
        let effectKey = key ?? newKey("capture", n)
        let request = GatewayRequest(operation: .capture, order: n, amount: amount, currency: a.order.currency.code,
                                     method: auth.method, authorizationReference: auth.reference, idempotencyKey: effectKey)
        let effect = try ctx.session.insertEffect(EffectRecord(
            key: effectKey, kind: "capture", order: n, amount: amount,
            request: ["gateway": request.json, "allocations": .array(allocations.map { [.int($0.0), .int($0.1)] })], createdAt: ctx.now))
        ctx.queue(effect)
        return ["order": .int(n), "pending": .int(amount), "idempotency_key": .string(effectKey)]
    }

    /// Records a void of everything the open authorisations hold, as a pending effect.
    static func recordVoid(_ a: inout OrderAggregate, ctx: CommandContext, key: String?) throws -> EffectRecord {
        let n = a.order.number
        let open = a.payments.openAuthorizations
        guard let first = open.first else { throw OrderError.conflict("order \(n) has no open authorisation to void") }
        let amount = a.payments.uncaptured
        let effectKey = key ?? newKey("void", n)
        let request = GatewayRequest(operation: .void, order: n, amount: amount, currency: a.order.currency.code,
                                     method: first.method, authorizationReference: first.reference, idempotencyKey: effectKey)
        return try ctx.session.insertEffect(EffectRecord(
            key: effectKey, kind: "void", order: n, amount: amount,
            request: ["gateway": request.json, "allocations": .array(open.map { [.int($0.id), .int(a.payments.remaining(of: $0))] })],
            createdAt: ctx.now))
    }

    static func void(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let key = try idempotencyKey(p)
        try p.finish()
        if let replayed = try replay(key, kind: "void", order: n, ctx) { return replayed }
        var a = try ctx.aggregate(n)
        if try ctx.session.pendingAmount(order: n, kind: "capture") > 0 {
            throw OrderError.conflict("order \(n) has a capture in flight; run payment.reconcile before voiding")
        }
        let effect = try recordVoid(&a, ctx: ctx, key: key)
        ctx.queue(effect)
        return ["order": .int(n), "pending": .int(effect.amount), "idempotency_key": .string(effect.key)]
    }

    static func check(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let days = try p.int("days", in: 0...365) ?? 2
        let limit = try p.int("limit", in: 1...10_000) ?? 1000
        try p.finish()
        let horizon = ctx.now.adding(days: days)
        var out: [JSON] = []
        for n in try ctx.session.ordersWithAuthorizationsExpiring(before: horizon, limit: Int(limit)) {
            guard let a = try ctx.session.loadAggregate(n) else { continue }
            for auth in a.payments.openAuthorizations {
                guard let exp = auth.expiresAt, exp <= horizon else { continue }
                let secondsLeft = exp.seconds - ctx.now.seconds
                out.append([
                    "order": .int(n), "reference": .string(a.order.reference), "status": .string(a.order.status),
                    "customer": .string(a.order.customer.name), "method": .string(auth.method), "authorization": .int(auth.id),
                    "authorized": .int(auth.amount), "uncaptured": .int(a.payments.remaining(of: auth)),
                    "expires_at": .string(exp.iso8601), "expired": .bool(exp <= ctx.now),
                    "days_left": .int(secondsLeft <= 0 ? 0 : (secondsLeft + 86_399) / 86_400),
                    "payment_state": .string(a.paymentState(at: ctx.now).rawValue),
                ])
            }
        }
        let expired = out.filter { $0["expired"]?.boolValue == true }.count
        return ["as_of": .string(ctx.now.iso8601), "days": .int(days), "expired": .int(Int64(expired)),
                "expiring": .int(Int64(out.count - expired)), "authorizations": .array(out),
                "pending_effects": try PendingEffects.report(ctx)]
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
