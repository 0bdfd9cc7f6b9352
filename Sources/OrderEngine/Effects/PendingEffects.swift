import OrderCore
import OrderStore

/// Which pending gateway effects the engine's current gateway may resolve, and the report of
/// the ones it may not (for `payment.check` and `payment.reconcile`).
///
/// Only the gateway an effect was sent to knows what became of it. Asking another one (the
/// simulator, or a new payment provider) would be answered "never received", the effect marked
/// failed, and a new capture would draw the money a second time.
enum PendingEffects {
    /// Why the current gateway (`identity`, nil when there is none) may not resolve `e`, or nil
    /// when it may. Unnamed effects (recorded before gateways were named) are resolved only
    /// when the caller vouches for the gateway with `includeUnnamed`.
    static func obstacle(_ e: EffectRecord, gateway identity: String?, includeUnnamed: Bool = false) -> String? {
        guard let identity else {
            return "no payment gateway is configured; the \(e.kind) stays pending until the gateway '\(e.gateway ?? "?")' that made it is set"
        }
        guard let made = e.gateway else {
            return includeUnnamed ? nil
                : "recorded before effects named their gateway; with the gateway that made it configured, run payment.reconcile {\"include_unnamed\": true}"
        }
        if made == identity { return nil }
        return "sent to gateway '\(made)', not the engine's gateway '\(identity)'; it stays pending until '\(made)' is configured again"
    }

    /// One pending effect as `payment.check` and `payment.reconcile` list it.
    static func describe(_ e: EffectRecord, gateway identity: String?, now: Timestamp) -> JSON {
        let why = obstacle(e, gateway: identity)
        return [
            "idempotency_key": .string(e.key), "kind": .string(e.kind), "order": .int(e.order), "amount": .int(e.amount),
            "gateway": .optional(e.gateway), "created_at": .string(e.createdAt.iso8601),
            "age_seconds": .int(max(0, now.seconds - e.createdAt.seconds)),
            "resolvable": .bool(why == nil), "note": .optional(why),
        ]
    }

    /// Every pending effect (up to `limit`), with whether the current gateway can resolve it.
    static func report(_ ctx: CommandContext, limit: Int = 1000) throws -> JSON {
        let identity = ctx.engine.configuration.gateway.identity
        return .array(try ctx.session.pendingEffects(limit: limit).map { describe($0, gateway: identity, now: ctx.now) })
    }
}
