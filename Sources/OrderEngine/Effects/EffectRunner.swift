import OrderCore
import OrderStore

/// Performs external effects after the transaction that recorded them committed, and records
/// their outcome in a follow-up transaction (the second phase).
///
/// Why two phases: the idempotency key must be durable **before** the gateway is asked, or a
/// crash between the gateway's "yes" and our commit would lose the fact that money moved. A
/// crash after phase 1 leaves the effect `pending`; `payment.reconcile` (also run at open)
/// asks the gateway by key and applies the answer — it never repeats the request blindly.
struct EffectRunner {
    let engine: Engine

    /// The outcome of one effect: the result to report, or the error.
    struct Outcome {
        var result: JSON
        var error: OrderError?
    }

    /// Runs `queued` in order (plus effects their hooks queue). The primary effect's result
    /// replaces `result`; its failure is thrown. Other effects are summarised under `effects`.
    func run(_ queued: [QueuedEffect], result: JSON, actor: String) throws -> JSON {
        var result = result
        var queue = queued
        var summaries: [JSON] = []
        var primaryError: OrderError?
        var rounds = 0
        while !queue.isEmpty && rounds < 64 {
            rounds += 1
            let q = queue.removeFirst()
            let (outcome, more) = q.lookupOnly ? reconcile(q.record, actor: actor) : perform(q.record, actor: actor)
            queue += more
            if q.primary {
                if let e = outcome.error { primaryError = e } else { result = outcome.result }
            } else {
                var s: JSONObject = ["kind": .string(q.record.kind), "order": .int(q.record.order), "amount": .int(q.record.amount)]
                if let e = outcome.error {
                    s["ok"] = false
                    s["error"] = ["code": .string(e.code.name), "message": .string(e.message)]
                } else {
                    s["ok"] = true
                    s["result"] = outcome.result
                }
                summaries.append(.object(s))
            }
        }
        if let primaryError { throw primaryError }
        if !summaries.isEmpty, case .object(var o) = result {
            o["effects"] = .array(summaries)
            result = .object(o)
        }
        return result
    }

    /// Asks the port, then applies the answer. Never throws: failures are part of the outcome.
    func perform(_ effect: EffectRecord, actor: String) -> (Outcome, [QueuedEffect]) {
        guard let request = EffectRunner.gatewayRequest(effect) else {
            return (Outcome(result: .null, error: OrderError(.storage, "effect \(effect.key) has a malformed request")), [])
        }
        let answer: GatewayOutcome?
        do {
            answer = try engine.configuration.gateway.perform(request)
        } catch {
            // The outcome is unknown: ask by key whether the request arrived.
            do {
                if let known = try engine.configuration.gateway.lookup(idempotencyKey: effect.key) {
                    answer = known
                } else {
                    answer = nil
                }
            } catch {
                return (Outcome(result: .null, error: OrderError(.port,
                    "payment gateway failed during \(effect.kind) of order \(effect.order) (\(error)); the \(effect.kind) is pending under key \(effect.key) and will be resolved by payment.reconcile")), [])
            }
            if answer == nil {
                return apply(effect, .failed(reason: "payment gateway unreachable: \(error)"), actor: actor)
            }
        }
        return apply(effect, answer.map(Answer.gateway) ?? .failed(reason: "no answer"), actor: actor)
    }

    /// Resolves an effect left pending (by a crash or an unreachable gateway) by asking the
    /// gateway what became of its key: the recorded outcome is applied; a key the gateway never
    /// saw is marked failed; if the gateway cannot answer, the effect stays pending.
    func reconcile(_ effect: EffectRecord, actor: String) -> (Outcome, [QueuedEffect]) {
        do {
            if let known = try engine.configuration.gateway.lookup(idempotencyKey: effect.key) {
                return apply(effect, .gateway(known), actor: actor)
            }
            return apply(effect, .failed(reason: "the gateway has no record of key \(effect.key); nothing was drawn"), actor: actor)
        } catch {
            return (Outcome(result: .null, error: OrderError(.port,
                "payment gateway cannot tell what became of \(effect.kind) key \(effect.key) (\(error)); it stays pending")), [])
        }
    }

    /// How an effect ended, as far as the engine is concerned.
    enum Answer {
        case gateway(GatewayOutcome)
        /// The request never reached the gateway (or reconcile found no trace of it).
        case failed(reason: String)
    }

    /// Phase 2: records `answer` in a transaction with hooks; if a hook fails there, the answer
    /// is recorded again without hooks (money that moved is always booked) and the hook's error
    /// is reported.
    func apply(_ effect: EffectRecord, _ answer: Answer, actor: String) -> (Outcome, [QueuedEffect]) {
        let command = EffectRunner.commandName(effect.kind)
        do {
            let (outcome, more) = try engine.writeTransaction(command: command, actor: actor, withHooks: true) { ctx in
                try EffectRunner.applyInTransaction(effect, answer, ctx)
            }
            return (outcome, more)
        } catch {
            let hookError = (error as? OrderError) ?? OrderError(.storage, "\(error)")
            do {
                let (outcome, _) = try engine.writeTransaction(command: command, actor: actor, withHooks: false) { ctx in
                    try EffectRunner.applyInTransaction(effect, answer, ctx)
                }
                var e = hookError
                e.message += " (the \(effect.kind) of order \(effect.order) itself was recorded; the hooks' changes were rolled back)"
                return (Outcome(result: outcome.result, error: outcome.error ?? e), [])
            } catch {
                let e = (error as? OrderError) ?? OrderError(.storage, "\(error)")
                return (Outcome(result: .null, error: OrderError(e.code,
                    "\(e.message); the \(effect.kind) under key \(effect.key) stays pending for payment.reconcile")), [])
            }
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
        let stored: JSON = outcome.error.map { ["code": .string($0.code.name), "message": .string($0.message)] } ?? outcome.result
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
                              authorizationReference: g["authorization_reference"]?.stringValue, idempotencyKey: key)
    }
}
