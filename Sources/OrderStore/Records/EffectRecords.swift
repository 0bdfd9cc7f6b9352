import GRDB
import OrderCore

/// An external effect (gateway capture, refund or void; carrier label) recorded with its
/// idempotency key **before** the port is called, and resolved after. A crash between the two
/// leaves it `pending`; recovery asks the port by key instead of repeating it blindly.
public struct EffectRecord: Sendable, Equatable {
    public var id: Int64
    public var key: String
    /// `capture`, `refund`, `void` or `label`.
    public var kind: String
    public var order: Int64
    public var amount: Int64
    /// What the command asked for (enough to apply the result later).
    public var request: JSON
    /// `pending`, `succeeded` or `failed`.
    public var state: String
    public var result: JSON
    public var createdAt: Timestamp

    public init(id: Int64 = 0, key: String, kind: String, order: Int64, amount: Int64, request: JSON, state: String = "pending",
                result: JSON = .null, createdAt: Timestamp) {
        self.id = id
        self.key = key
        self.kind = kind
        self.order = order
        self.amount = amount
        self.request = request
        self.state = state
        self.result = result
        self.createdAt = createdAt
    }

    public var json: JSON {
        [
            "id": .int(id), "idempotency_key": .string(key), "kind": .string(kind), "order": .int(order),
            "amount": .int(amount), "state": .string(state), "request": request, "result": result,
            "created_at": .string(createdAt.iso8601),
        ]
    }
}

extension StoreSession {
    /// Records a pending effect; returns it with its id. A key used before, by an effect or by a
    /// payment row (whose keys the effect's own rows will need), is a `conflict`.
    public func insertEffect(_ e: EffectRecord) throws -> EffectRecord {
        if try row("SELECT 1 FROM effects WHERE idempotency_key = ?", [e.key]) != nil
            || row("SELECT 1 FROM payments WHERE idempotency_key = ?", [e.key]) != nil {
            throw OrderError(.conflict, "idempotency_key: '\(e.key)' was already used", field: "idempotency_key")
        }
        try write("""
            INSERT INTO effects (idempotency_key, kind, order_number, amount, request, state, created_at)
            VALUES (?, ?, ?, ?, ?, 'pending', ?)
            """, e.key, e.kind, e.order, e.amount, e.request.compactText, e.createdAt.seconds)
        var out = e
        out.id = lastInsertedId
        return out
    }

    /// Marks an effect succeeded or failed with the port's answer. Returns false if it was no
    /// longer pending (someone else resolved it).
    @discardableResult
    public func resolveEffect(id: Int64, state: String, result: JSON, at: Timestamp) throws -> Bool {
        try write("UPDATE effects SET state = ?, result = ?, resolved_at = ? WHERE id = ? AND state = 'pending'",
                  state, result.compactText, at.seconds, id)
        return db.changesCount > 0
    }

    /// One effect by id.
    public func effect(id: Int64) throws -> EffectRecord? {
        try effectsWhere(where: "id = ?", [id]).first
    }

    /// The sum of pending effect amounts of `kind` on `order` (money in flight).
    public func pendingAmount(order: Int64, kind: String) throws -> Int64 {
        try row("SELECT COALESCE(SUM(amount), 0) FROM effects WHERE state = 'pending' AND order_number = ? AND kind = ?", [order, kind])?[0] ?? 0
    }

    func effectsWhere(where clause: String, _ args: StatementArguments) throws -> [EffectRecord] {
        try rows("""
            SELECT id, idempotency_key, kind, order_number, amount, request, state, result, created_at FROM effects
            WHERE \(clause) ORDER BY id
            """, args).map { r in
            EffectRecord(id: r[0], key: r[1], kind: r[2], order: r[3], amount: r[4], request: JSON.stored(r[5]), state: r[6],
                         result: JSON.stored(r[7]), createdAt: Timestamp(seconds: r[8]))
        }
    }
}

extension StoreSession {
    /// Sets an effect's final state whatever it was (the gateway's answer is the truth).
    public func exec(forceResolve id: Int64, state: String, result: JSON, at: Timestamp) throws {
        try write("UPDATE effects SET state = ?, result = ?, resolved_at = ? WHERE id = ?", state, result.compactText, at.seconds, id)
    }

    /// The effect recorded under `key`, if any.
    public func effect(key: String) throws -> EffectRecord? {
        try effectsWhere(where: "idempotency_key = ?", [key]).first
    }

    /// Pending effects created before `before`, oldest first.
    public func pendingEffects(createdBefore before: Timestamp) throws -> [EffectRecord] {
        try effectsWhere(where: "state = 'pending' AND created_at <= ?", [before.seconds])
    }
}

extension StoreSession {
    /// Pending effects of `kind` on `order`, oldest first.
    public func pendingEffects(order: Int64, kind: String) throws -> [EffectRecord] {
        try effectsWhere(where: "state = 'pending' AND order_number = ? AND kind = ?", [order, kind])
    }

    /// The parts of a multi-part effect: the effect under `group` and those under `group#2`,
    /// `group#3`, …, in the order they were recorded.
    public func effects(group: String) throws -> [EffectRecord] {
        try effectsWhere(where: "idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?",
                         [group, group.unicodeScalars.count + 1, group + "#"])
    }
}
