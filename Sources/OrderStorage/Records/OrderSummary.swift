import OrderCore

/// One row of an `order.find` result: the order's identity and derived states, read from the
/// indexed columns without loading its ledgers.
public struct OrderSummary: Sendable, Equatable {
    public var number: Int64
    public var reference: String
    public var status: String
    /// Stored state; `expired` is applied at read time from `authValidUntil`.
    public var paymentState: PaymentState
    public var fulfilmentState: FulfilmentState
    /// The earliest expiry among open authorisations.
    public var authExpiresAt: Timestamp?
    /// `PaymentLedger.authorizationsValidUntil`: when an authorised order becomes `expired`
    /// (nil: never — no open authorisation, or one without an expiry).
    public var authValidUntil: Timestamp?
    public var total: Int64
    public var authorized: Int64
    public var captured: Int64
    public var currency: String
    public var customerName: String
    public var customerEmail: String
    public var deliveryMethod: String
    public var carrier: String?
    public var tags: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var version: Int64

    /// A summary from its stored columns (the backends read them from the order row).
    public init(number: Int64, reference: String, status: String, paymentState: PaymentState, fulfilmentState: FulfilmentState,
                authExpiresAt: Timestamp?, authValidUntil: Timestamp?, total: Int64, authorized: Int64, captured: Int64,
                currency: String, customerName: String, customerEmail: String, deliveryMethod: String, carrier: String?,
                tags: [String], createdAt: Timestamp, updatedAt: Timestamp, version: Int64) {
        self.number = number
        self.reference = reference
        self.status = status
        self.paymentState = paymentState
        self.fulfilmentState = fulfilmentState
        self.authExpiresAt = authExpiresAt
        self.authValidUntil = authValidUntil
        self.total = total
        self.authorized = authorized
        self.captured = captured
        self.currency = currency
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.deliveryMethod = deliveryMethod
        self.carrier = carrier
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The JSON form; `now` turns an authorised order whose authorisations all ran out into `expired`.
    public func json(now: Timestamp) -> JSON {
        let ps = PaymentLedger.state(stored: paymentState, validUntil: authValidUntil, at: now)
        return [
            "order": .int(number), "reference": .string(reference), "status": .string(status),
            "payment_state": .string(ps.rawValue), "fulfilment_state": .string(fulfilmentState.rawValue),
            "total": .int(total), "authorized": .int(authorized), "captured": .int(captured), "currency": .string(currency),
            "customer": ["name": .string(customerName), "email": .string(customerEmail)],
            "delivery_method": .string(deliveryMethod), "carrier": .optional(carrier),
            "tags": .array(tags.map { .string($0) }), "created_at": .string(createdAt.iso8601),
            "updated_at": .string(updatedAt.iso8601), "version": .int(version),
        ]
    }
}
