import OrderCore
import OrderStore

/// Performs external effects after the transaction that recorded them committed, and records
/// their outcome in a follow-up transaction (the second phase).
///
/// Why two phases: the idempotency key must be durable **before** the gateway is asked, or a
/// crash between the gateway's "yes" and our commit would lose the fact that money moved. A
/// crash after phase 1 leaves the effect `pending`; `payment.reconcile` (also run before the first write after open)
/// asks the gateway by key and applies the answer — it never repeats the request blindly.
struct EffectRunner {
    let engine: Engine

    /// The outcome of one effect: the result to report, or the error.
    struct Outcome {
        var result: JSON
        var error: OrderError?
    }

    /// Runs `queued` (plus effects their hooks queue). The primary effect's result replaces
    /// `result`; its failure is thrown. Other effects are summarised under `effects`.
    func run(_ queued: [QueuedEffect], result: JSON, actor: String) throws -> JSON {
        var result = result
        var summaries: [JSON] = []
        var primaries: [(QueuedEffect, Outcome)] = []
        for (q, outcome) in runAll(queued, actor: actor) {
            if q.primary {
                primaries.append((q, outcome))
            } else {
                var s: JSONObject = ["kind": .string(q.record.kind), "order": .int(q.record.order), "amount": .int(q.record.amount)]
                if let id = EffectParts.authorization(of: q.record) { s["authorization"] = .int(id) }
                if let e = outcome.error {
                    s["ok"] = false
                    s["error"] = ErrorJSON.inResult(e)
                } else {
                    s["ok"] = true
                    s["result"] = outcome.result
                }
                summaries.append(.object(s))
            }
        }
        if primaries.count == 1 {
            if let e = primaries[0].1.error { throw e }
            result = primaries[0].1.result
        } else if primaries.count > 1 {
            result = try EffectRunner.combine(primaries)
        }
        if !summaries.isEmpty, case .object(var o) = result {
            o["effects"] = .array(summaries)
            result = .object(o)
        }
        return result
    }

    /// The result of a multi-part capture, void or refund: the last part's result (which
    /// carries the invoice or credit note) with the group's total and one entry per part; when
    /// a part failed, a `port` error saying what went through and what did not.
    static func combine(_ parts: [(QueuedEffect, Outcome)]) throws -> JSON {
        let kind = parts[0].0.record.kind
        var list: [JSON] = []
        var done: Int64 = 0
        for (q, o) in parts {
            var p: JSONObject = ["authorization": .optional(EffectParts.authorization(of: q.record)), "amount": .int(q.record.amount),
                                 "idempotency_key": .string(q.record.key), "ok": .bool(o.error == nil)]
            if let e = o.error { p["error"] = .string(e.message) } else { done += q.record.amount }
            list.append(.object(p))
        }
        let failed = parts.compactMap { $0.1.error }
        if !failed.isEmpty {
            let ok = parts.filter { $0.1.error == nil }.map { "\($0.0.record.amount) on authorisation \(EffectParts.authorization(of: $0.0.record) ?? 0)" }
            var e = failed[0]
            e.message = "\(failed.count) of \(parts.count) parts of the \(kind) failed: " + failed.map(\.message).joined(separator: "; ")
                + (ok.isEmpty ? "" : "; went through (minor units): " + ok.joined(separator: ", "))
            throw e
        }
        guard case .object(var o) = parts.last!.1.result else { return parts.last!.1.result }
        switch kind {
        case "capture": o["captured"] = .int(done)
        case "void": o["voided"] = .int(done)
        default: break
        }
        o["parts"] = .array(list)
        return .object(o)
    }

    /// Asks the gateway about every effect, then records all the answers in **one**
    /// transaction (group commit: a batch of captures costs one fsync, not one each), each in
    /// its own savepoint with its hooks. Effects the hooks queue run in a next round. Never
    /// throws: failures are part of each outcome.
    func runAll(_ queued: [QueuedEffect], actor: String) -> [(QueuedEffect, Outcome)] {
        var out: [(QueuedEffect, Outcome)] = []
        var round = queued
        var rounds = 0
        while !round.isEmpty && rounds < 64 {
            rounds += 1
            var answered: [(QueuedEffect, Answer)] = []
            for q in round {
                switch ask(q) {
                case .answer(let a): answered.append((q, a))
                case .unknown(let e): out.append((q, Outcome(result: .null, error: e)))
                }
            }
            let (applied, more) = applyAll(answered, actor: actor)
            out += applied
            round = more
        }
        return out
    }

    enum Asked {
        case answer(Answer)
        /// The gateway cannot tell now: the effect stays pending (for `payment.reconcile`).
        case unknown(OrderError)
    }

    /// What became of an effect at the gateway. A normal effect is performed (and, when the
    /// call fails, looked up by key); a reconciliation only looks up, never performs.
    func ask(_ q: QueuedEffect) -> Asked {
        let effect = q.record
        let gateway = engine.configuration.gateway
        // Only the gateway the effect was sent to may tell what became of it.
        if let why = PendingEffects.obstacle(effect, gateway: gateway.identity, includeUnnamed: true) {
            return .unknown(OrderError(.port, "the \(effect.kind) of order \(effect.order) under key \(effect.key) was not resolved: \(why)"))
        }
        if q.lookupOnly {
            do {
                if let known = try gateway.lookup(idempotencyKey: effect.key) { return .answer(.gateway(known)) }
                // A part of a multi-part effect that a crash kept from being sent: send it now
                // (safe: the gateway has no record of its key), so the whole is done as recorded.
                if EffectParts.count(of: effect) > 1, let request = EffectRunner.gatewayRequest(effect) {
                    return .answer(.gateway(try gateway.perform(request)))
                }
                return .answer(.failed(reason: "the gateway has no record of key \(effect.key); nothing was drawn"))
            } catch {
                return .unknown(OrderError(.port,
                    "payment gateway cannot tell what became of \(effect.kind) key \(effect.key) (\(error)); it stays pending"))
            }
        }
        guard let request = EffectRunner.gatewayRequest(effect) else {
            return .unknown(OrderError(.storage, "effect \(effect.key) has a malformed request"))
        }
        do {
            return .answer(.gateway(try gateway.perform(request)))
        } catch {
            // The outcome is unknown: ask by key whether the request arrived.
            do {
                if let known = try gateway.lookup(idempotencyKey: effect.key) { return .answer(.gateway(known)) }
                return .answer(.failed(reason: "payment gateway unreachable: \(error)"))
            } catch {
                return .unknown(OrderError(.port,
                    "payment gateway failed during \(effect.kind) of order \(effect.order) (\(error)); the \(effect.kind) is pending under key \(effect.key) and will be resolved by payment.reconcile"))
            }
        }
    }

    /// How an effect ended, as far as the engine is concerned.
    enum Answer {
        case gateway(GatewayOutcome)
        /// The request never reached the gateway (or reconcile found no trace of it).
        case failed(reason: String)
    }

    /// Phase 2 for a batch: one transaction; per effect a savepoint with its hooks. If a hook
    /// fails, the answer is recorded again without hooks (money that moved is always booked)
    /// and the hook's error reported. Returns the outcomes and the effects hooks queued.
    func applyAll(_ items: [(QueuedEffect, Answer)], actor: String) -> ([(QueuedEffect, Outcome)], [QueuedEffect]) {
        if items.isEmpty { return ([], []) }
        do {
            return try engine.storage.write { s in
                let ctx = try engine.context(s, actor: actor, isWrite: true)
                ctx.depth = 1
                // The batch's orders in four queries, not five per order (a quarter of this
                // transaction's time in the lifecycle benchmark).
                try ctx.preload(items.map { $0.0.record.order })
                var results: [(QueuedEffect, Outcome)] = []
                var more: [QueuedEffect] = []
                for (q, answer) in items {
                    let mark = ctx.effects.count
                    ctx.command = EffectRunner.commandName(q.record.kind)
                    ctx.events.removeAll()
                    do {
                        let o = try ctx.inSavepoint { () throws -> Outcome in
                            let o = try EffectRunner.applyInTransaction(q.record, answer, ctx)
                            let events = ctx.events
                            ctx.events.removeAll()
                            if let hooks = engine.hooks { for e in events { try hooks.on(event: e, context: ctx) } }
                            return o
                        }
                        results.append((q, o))
                        more += ctx.effects[mark...].map { QueuedEffect(record: $0.record, primary: false) }
                    } catch {
                        ctx.events.removeAll()
                        var hookError = (error as? OrderError) ?? OrderError(.storage, "\(error)")
                        let o = try ctx.inSavepoint { () throws -> Outcome in
                            let o = try EffectRunner.applyInTransaction(q.record, answer, ctx)
                            ctx.events.removeAll()
                            return o
                        }
                        hookError.message += " (the \(q.record.kind) of order \(q.record.order) itself was recorded; the hooks' changes were rolled back)"
                        results.append((q, Outcome(result: o.result, error: o.error ?? hookError)))
                    }
                }
                return (results, more)
            }
        } catch {
            let e = (error as? OrderError) ?? OrderError(.storage, "\(error)")
            return (items.map { q, _ in
                (q, Outcome(result: .null, error: OrderError(e.code,
                    "\(e.message); the \(q.record.kind) under key \(q.record.key) stays pending for payment.reconcile")))
            }, [])
        }
    }

    static func applyInTransaction(_ effect: EffectRecord, _ answer: Answer, _ ctx: CommandContext) throws -> Outcome {
        // Someone else (reconcile in another process) may have resolved it meanwhile.
        guard let current = try ctx.session.effect(id: effect.id) else {
            throw OrderError(.storage, "effect \(effect.key) vanished")
        }
        let approved: String? = if case .gateway(.approved(let ref)) = answer { ref } else { nil }
        if current.state != "pending" {
            // A late approval of an effect reconcile had given up on must still be booked.
            guard current.state == "failed", approved != nil else {
                return Outcome(result: current.result, error: current.state == "failed"
                    ? OrderError(.port, current.result["message"]?.stringValue ?? "\(effect.kind) failed") : nil)
            }
        }
        let outcome: Outcome
        switch effect.kind {
        case "capture": outcome = try PaymentEffects.applyCapture(effect, answer, ctx)
        case "refund": outcome = try PaymentEffects.applyRefund(effect, answer, ctx)
        case "void": outcome = try PaymentEffects.applyVoid(effect, answer, ctx)
        default: throw OrderError(.storage, "unknown effect kind '\(effect.kind)'")
        }
        let stored: JSON = outcome.error.map(ErrorJSON.inResult) ?? outcome.result
        try ctx.session.exec(forceResolve: effect.id, state: outcome.error == nil ? "succeeded" : "failed", result: stored, at: ctx.now)
        return outcome
    }

    static func commandName(_ kind: String) -> String {
        switch kind {
        case "capture": "payment.capture"
        case "refund": "credit_note.create"
        case "void": "payment.void"
        default: kind
        }
    }

    static func gatewayRequest(_ e: EffectRecord) -> GatewayRequest? {
        guard let g = e.request["gateway"], let op = g["operation"]?.stringValue.flatMap(GatewayRequest.Operation.init(rawValue:)),
              let order = g["order"]?.intValue, let amount = g["amount"]?.intValue, let cur = g["currency"]?.stringValue,
              let method = g["method"]?.stringValue, let key = g["idempotency_key"]?.stringValue
        else { return nil }
        return GatewayRequest(operation: op, order: order, amount: amount, currency: cur, method: method,
                              authorizationReference: g["authorization_reference"]?.stringValue, idempotencyKey: key,
                              partial: g["partial"]?.boolValue ?? false)
    }
}
