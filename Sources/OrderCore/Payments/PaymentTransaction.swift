/// The kinds of rows in the append-only payment ledger.
public enum PaymentKind: String, Sendable, CaseIterable {
    /// Money reserved on the customer's account at checkout.
    case authorize
    /// Reserved money drawn (hævet).
    case capture
    /// The uncaptured rest of an authorisation released.
    case void
    /// Captured money paid back.
    case refund
}

/// One row of an order's payment ledger. Rows are only ever appended; the payment state of
/// an order is derived from them (`PaymentLedger`).
public struct PaymentTransaction: Sendable, Equatable {
    /// Ledger row id (unique per database).
    public var id: Int64
    public var kind: PaymentKind
    /// Minor units, always positive; the kind says which way the money moves.
    public var amount: Int64
    /// Payment method (`visa`, `mastercard`, `dankort`, `mobilepay`, …).
    public var method: String
    /// The gateway's or checkout's reference.
    public var reference: String?
    /// The key the engine recorded before asking the gateway; `nil` for authorisations
    /// recorded from checkout without one.
    public var idempotencyKey: String?
    /// For capture, void and refund: the id of the authorisation row it belongs to.
    public var authorization: Int64?
    /// When the row was recorded (engine clock).
    public var at: Timestamp
    /// For authorisations: when the reservation runs out (validity table).
    public var expiresAt: Timestamp?

    public init(id: Int64, kind: PaymentKind, amount: Int64, method: String, reference: String? = nil,
                idempotencyKey: String? = nil, authorization: Int64? = nil, at: Timestamp, expiresAt: Timestamp? = nil) {
        self.id = id
        self.kind = kind
        self.amount = amount
        self.method = method
        self.reference = reference
        self.idempotencyKey = idempotencyKey
        self.authorization = authorization
        self.at = at
        self.expiresAt = expiresAt
    }

    /// The JSON form used in `order.get` (`payments`).
    public var json: JSON {
        var o: JSONObject = [
            "id": .int(id), "kind": .string(kind.rawValue), "amount": .int(amount), "method": .string(method),
            "reference": .optional(reference), "at": .string(at.iso8601),
        ]
        if let authorization { o["authorization"] = .int(authorization) }
        if let expiresAt { o["expires_at"] = .string(expiresAt.iso8601) }
        if let idempotencyKey { o["idempotency_key"] = .string(idempotencyKey) }
        return .object(o)
    }
}
