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
    /// The identity of the gateway the effect was sent to (`PaymentGateway.identity`); only
    /// that gateway may resolve it. Nil for effects recorded before gateways were named.
    public var gateway: String?

    public init(id: Int64 = 0, key: String, kind: String, order: Int64, amount: Int64, request: JSON, state: String = "pending",
                result: JSON = .null, createdAt: Timestamp, gateway: String? = nil) {
        self.id = id
        self.key = key
        self.kind = kind
        self.order = order
        self.amount = amount
        self.request = request
        self.state = state
        self.result = result
        self.createdAt = createdAt
        self.gateway = gateway
    }

    public var json: JSON {
        [
            "id": .int(id), "idempotency_key": .string(key), "kind": .string(kind), "order": .int(order),
            "amount": .int(amount), "state": .string(state), "request": request, "result": result,
            "created_at": .string(createdAt.iso8601), "gateway": .optional(gateway),
        ]
    }
}
