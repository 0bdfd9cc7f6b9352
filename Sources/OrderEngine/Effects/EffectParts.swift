import OrderCore
import OrderStore

/// Multi-part gateway effects: a capture, void or refund that more than one authorisation
/// carries is recorded as one effect **per authorisation** (a part), each with that
/// authorisation's reference, method and its own idempotency key — the group's key for the
/// first part, `<key>#2`, `<key>#3`, … for the others. Every part is asked and booked on its
/// own; what depends on the whole (the invoice of a capture, the credit note of a refund) is
/// issued when the last part of the group is resolved.
enum EffectParts {
    /// The idempotency key of part `k` (0-based) of `group`.
    static func key(_ group: String, _ k: Int) -> String { k == 0 ? group : "\(group)#\(k + 1)" }

    /// The group key of an effect (its own key for single-part and older effects).
    static func group(of e: EffectRecord) -> String { e.request["group"]?.stringValue ?? e.key }

    /// How many parts the effect's group has.
    static func count(of e: EffectRecord) -> Int { Int(e.request["parts"]?.intValue ?? 1) }

    /// The authorisation an effect part belongs to (older effects: the first allocation).
    static func authorization(of e: EffectRecord) -> Int64? {
        e.request["authorization"]?.intValue ?? e.request["allocations"]?.arrayValue?.first?.arrayValue?.first?.intValue
    }

    /// Records one pending effect per `(authorisation, amount)` part under `group`; `extra`
    /// goes into every part's request; `partial` marks the gateway requests as partial voids.
    /// Returns the records in part order.
    static func record(_ kind: String, _ operation: GatewayRequest.Operation, group: String, parts: [(Int64, Int64)],
                       on a: OrderAggregate, extra: JSONObject = [:], partial: Bool = false, ctx: CommandContext) throws -> [EffectRecord] {
        let n = a.order.number
        var out: [EffectRecord] = []
        for (k, (authId, amount)) in parts.enumerated() {
            guard let auth = a.payments.authorization(authId) else { throw OrderError(.storage, "authorisation \(authId) vanished") }
            let partKey = key(group, k)
            let request = GatewayRequest(operation: operation, order: n, amount: amount, currency: a.order.currency.code,
                                         method: auth.method, authorizationReference: auth.reference, idempotencyKey: partKey,
                                         partial: partial)
            var r = extra
            r["gateway"] = request.json
            r["authorization"] = .int(authId)
            r["allocations"] = [[.int(authId), .int(amount)]]
            r["group"] = .string(group)
            r["part"] = .int(Int64(k + 1))
            r["parts"] = .int(Int64(parts.count))
            out.append(try ctx.session.insertEffect(EffectRecord(key: partKey, kind: kind, order: n, amount: amount,
                                                                 request: .object(r), createdAt: ctx.now)))
        }
        return out
    }

    /// Money of `kind` in flight on `order`, per authorisation id.
    static func reserved(order: Int64, kind: String, _ ctx: CommandContext) throws -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for e in try ctx.session.pendingEffects(order: order, kind: kind) {
            if let parts = e.request["allocations"]?.arrayValue, e.request["authorization"] == nil {
                for p in parts {
                    guard let pair = p.arrayValue, pair.count == 2, let id = pair[0].intValue, let amt = pair[1].intValue else { continue }
                    out[id, default: 0] += amt
                }
            } else if let id = authorization(of: e) {
                out[id, default: 0] += e.amount
            }
        }
        return out
    }

    /// The other parts of `e`'s group as stored now (parts resolved earlier in this transaction
    /// are no longer pending).
    static func siblings(of e: EffectRecord, _ ctx: CommandContext) throws -> [EffectRecord] {
        guard count(of: e) > 1 else { return [] }
        return try ctx.session.effects(group: group(of: e)).filter { $0.id != e.id }
    }

    /// Whether `e` is the last part of its group to be resolved.
    static func isLast(_ e: EffectRecord, _ ctx: CommandContext) throws -> Bool {
        try !siblings(of: e, ctx).contains { $0.state == "pending" }
    }

    /// The idempotency keys of every part of `e`'s group.
    static func keys(of e: EffectRecord) -> Set<String> {
        Set((0..<count(of: e)).map { key(group(of: e), $0) })
    }
}
