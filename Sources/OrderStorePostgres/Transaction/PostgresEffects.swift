import OrderCore
import OrderStorage
import PostgresClient

extension PostgresTransaction {
    /// Records a pending effect sent to ``effectGateway``; returns it with its id. `conflict`
    /// (naming `idempotency_key`) when its key was used by an effect or a payment before — also
    /// by another server's transaction that committed it meanwhile (the unique index decides).
    package func insertEffect(_ e: EffectRecord) throws -> EffectRecord {
        var gateway = e.gateway
        switch effectGateway {
        case .success(let name)?: gateway = name
        case .failure(let error)?: throw error
        case nil: break
        }
        let used = OrderError(.conflict, "idempotency_key: '\(e.key)' was already used", field: "idempotency_key")
        // One statement: a key used by a payment, or by an effect (also one that another
        // server's transaction committed meanwhile: the unique index decides, after waiting
        // for it), inserts nothing and returns no id.
        let inserted = try rows("""
            INSERT INTO effects (idempotency_key, kind, order_number, amount, request, state, created_at, gateway)
            SELECT $1, $2, $3, $4, $5, 'pending', $6, $7
            WHERE NOT EXISTS (SELECT 1 FROM payments WHERE idempotency_key = $1)
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
            """, [.text(e.key), .text(e.kind), .int(e.order), .int(e.amount), .text(e.request.compactText),
                  .int(e.createdAt.seconds), gateway.map(PostgresValue.text) ?? .null])
        guard let id = try inserted.first?.int(0) else { throw used }
        var out = e
        out.id = id
        out.gateway = gateway
        return out
    }

    /// Marks a pending effect succeeded or failed; false when it was no longer pending.
    @discardableResult
    package func resolveEffect(id: Int64, state: String, result: JSON, at: Timestamp) throws -> Bool {
        try rows("UPDATE effects SET state = $1, result = $2, resolved_at = $3 WHERE id = $4 AND state = 'pending'",
                 [.text(state), .text(result.compactText), .int(at.seconds), .int(id)]).rowsAffected > 0
    }

    /// Sets an effect's final state whatever it was (the gateway's answer is the truth).
    package func exec(forceResolve id: Int64, state: String, result: JSON, at: Timestamp) throws {
        try rows("UPDATE effects SET state = $1, result = $2, resolved_at = $3 WHERE id = $4",
                 [.text(state), .text(result.compactText), .int(at.seconds), .int(id)])
    }

    /// One effect by id.
    package func effect(id: Int64) throws -> EffectRecord? { try effects(where: "id = $1", [.int(id)]).first }

    /// The effect recorded under `key`, if any.
    package func effect(key: String) throws -> EffectRecord? { try effects(where: "idempotency_key = $1", [.text(key)]).first }

    /// The sum of pending effect amounts of `kind` on `order` (money in flight).
    package func pendingAmount(order: Int64, kind: String) throws -> Int64 {
        try rows("SELECT COALESCE(SUM(amount), 0)::bigint FROM effects WHERE state = 'pending' AND order_number = $1 AND kind = $2",
                 [.int(order), .text(kind)])[0].int(0)
    }

    /// Pending effects created at or before `before`, oldest first.
    package func pendingEffects(createdBefore before: Timestamp) throws -> [EffectRecord] {
        try effects(where: "state = 'pending' AND created_at <= $1", [.int(before.seconds)])
    }

    /// Up to `limit` pending effects, oldest first.
    package func pendingEffects(limit: Int) throws -> [EffectRecord] {
        try effects(where: "state = 'pending' AND id IN (SELECT id FROM effects WHERE state = 'pending' ORDER BY id LIMIT $1)",
                    [.int(Int64(limit))])
    }

    /// Pending effects of `kind` on `order`, oldest first.
    package func pendingEffects(order: Int64, kind: String) throws -> [EffectRecord] {
        try effects(where: "state = 'pending' AND order_number = $1 AND kind = $2", [.int(order), .text(kind)])
    }

    /// The parts of a multi-part effect: under `group`, `group#2`, `group#3`, … in order.
    package func effects(group: String) throws -> [EffectRecord] {
        try effects(where: "idempotency_key = $1 OR left(idempotency_key, $2::int4) = $3",
                    [.text(group), .int(Int64(group.unicodeScalars.count + 1)), .text(group + "#")])
    }

    func effects(where clause: String, _ parameters: [PostgresValue]) throws -> [EffectRecord] {
        try rows("""
            SELECT id, idempotency_key, kind, order_number, amount, request, state, result, created_at, gateway FROM effects
            WHERE \(clause) ORDER BY id
            """, parameters).map { r in
            EffectRecord(id: try r.int(0), key: try r.string(1), kind: try r.string(2), order: try r.int(3), amount: try r.int(4),
                         request: Self.json(try r.string(5)), state: try r.string(6), result: Self.json(try r.stringOrNil(7)),
                         createdAt: Timestamp(seconds: try r.int(8)), gateway: try r.stringOrNil(9))
        }
    }

    /// Stored JSON text as a value (`null` when absent or unreadable).
    static func json(_ text: String?) -> JSON {
        guard let text else { return .null }
        return (try? JSONParser.parse(text)) ?? .null
    }
}
