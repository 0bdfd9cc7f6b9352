import OrderCore

/// A label booking request to a carrier.
public struct LabelRequest: Sendable, Equatable {
    public var carrier: String
    public var order: Int64
    public var orderReference: String
    public var recipient: String
    public var address: String?
    /// The same key for the same parcel, also when a rolled-back command is retried, so the
    /// carrier returns the first label instead of booking a second one.
    public var idempotencyKey: String

    public init(carrier: String, order: Int64, orderReference: String, recipient: String, address: String?, idempotencyKey: String) {
        self.carrier = carrier
        self.order = order
        self.orderReference = orderReference
        self.recipient = recipient
        self.address = address
        self.idempotencyKey = idempotencyKey
    }

    public var json: JSON {
        [
            "carrier": .string(carrier), "order": .int(order), "order_reference": .string(orderReference),
            "recipient": .string(recipient), "address": .optional(address), "idempotency_key": .string(idempotencyKey),
        ]
    }
}

/// A booked label.
public struct Label: Sendable, Equatable {
    public var tracking: String
    public init(tracking: String) { self.tracking = tracking }
}

/// The carrier port: books labels and returns tracking numbers. Throws on failure (the
/// command is then rolled back with a `port` error). Must be thread-safe.
public protocol Carrier: Sendable {
    func bookLabel(_ request: LabelRequest) throws -> Label
}
