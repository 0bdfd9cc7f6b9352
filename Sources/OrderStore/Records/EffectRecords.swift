import GRDB
import OrderCore

extension StoreSession {
    /// Records a pending effect, sent to the session's `effectGateway`; returns it with its id.
    /// A key used before, by an effect or by a payment row (whose keys the effect's own rows will
    /// need), is a `conflict`; a session whose gateway is a failure throws that error (nothing
    /// is recorded for a gateway that is not there).
    package func insertEffect(_ e: EffectRecord) throws -> EffectRecord {
        var gateway = e.gateway
        switch effectGateway {
        case .success(let name)?: gateway = name
        case .failure(let error)?: throw error
        case nil: break
        }
        if try row("SELECT 1 FROM effects WHERE idempotency_key = ?", [e.key]) != nil
            || row("SELECT 1 FROM payments WHERE idempotency_key = ?", [e.key]) != nil {
            throw OrderError(.conflict, "idempotency_key: '\(e.key)' was already used", field: "idempotency_key")
        }
        try write("""
            INSERT INTO effects (idempotency_key, kind, order_number, amount, request, state, created_at, gateway)
            VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
            """, e.key, e.kind, e.order, e.amount, e.request.compactText, e.createdAt.seconds, gateway)
        var out = e
        out.id = lastInsertedId
        out.gateway = gateway
        return out
    }

    /// Marks an effect succeeded or failed with the port's answer. Returns false if it was no
    /// longer pending (someone else resolved it).
    @discardableResult
    package func resolveEffect(id: Int64, state: String, result: JSON, at: Timestamp) throws -> Bool {
        try write("UPDATE effects SET state = ?, result = ?, resolved_at = ? WHERE id = ? AND state = 'pending'",
                  state, result.compactText, at.seconds, id)
        return db.changesCount > 0
    }

    /// One effect by id.
    package func effect(id: Int64) throws -> EffectRecord? {
        try effectsWhere(where: "id = ?", [id]).first
    }

    /// The sum of pending effect amounts of `kind` on `order` (money in flight).
    package func pendingAmount(order: Int64, kind: String) throws -> Int64 {
        try row("SELECT COALESCE(SUM(amount), 0) FROM effects WHERE state = 'pending' AND order_number = ? AND kind = ?", [order, kind])?[0] ?? 0
    }

    func effectsWhere(where clause: String, _ args: StatementArguments) throws -> [EffectRecord] {
        try rows("""
            SELECT id, idempotency_key, kind, order_number, amount, request, state, result, created_at, gateway FROM effects
            WHERE \(clause) ORDER BY id
            """, args).map { r in
            EffectRecord(id: r[0], key: r[1], kind: r[2], order: r[3], amount: r[4], request: JSON.stored(r[5]), state: r[6],
                         result: JSON.stored(r[7]), createdAt: Timestamp(seconds: r[8]), gateway: r[9])
        }
    }
}

extension StoreSession {
    /// Sets an effect's final state whatever it was (the gateway's answer is the truth).
    package func exec(forceResolve id: Int64, state: String, result: JSON, at: Timestamp) throws {
        try write("UPDATE effects SET state = ?, result = ?, resolved_at = ? WHERE id = ?", state, result.compactText, at.seconds, id)
    }

    /// The effect recorded under `key`, if any.
    package func effect(key: String) throws -> EffectRecord? {
        try effectsWhere(where: "idempotency_key = ?", [key]).first
    }

    /// Pending effects created before `before`, oldest first.
    package func pendingEffects(createdBefore before: Timestamp) throws -> [EffectRecord] {
        try effectsWhere(where: "state = 'pending' AND created_at <= ?", [before.seconds])
    }

    /// Up to `limit` pending effects, oldest first (whatever their age or gateway).
    package func pendingEffects(limit: Int) throws -> [EffectRecord] {
        try effectsWhere(where: "state = 'pending' AND id IN (SELECT id FROM effects WHERE state = 'pending' ORDER BY id LIMIT ?)", [limit])
    }
}

extension StoreSession {
    /// Pending effects of `kind` on `order`, oldest first.
    package func pendingEffects(order: Int64, kind: String) throws -> [EffectRecord] {
        try effectsWhere(where: "state = 'pending' AND order_number = ? AND kind = ?", [order, kind])
    }

    /// The parts of a multi-part effect: the effect under `group` and those under `group#2`,
    /// `group#3`, …, in the order they were recorded.
    package func effects(group: String) throws -> [EffectRecord] {
        try effectsWhere(where: "idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?",
                         [group, group.unicodeScalars.count + 1, group + "#"])
    }
}
