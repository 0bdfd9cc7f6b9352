/// Where a return stands.
public enum ReturnState: String, Sendable, CaseIterable {
    /// Announced (`return.create`); the goods are on their way back.
    case created
    /// The goods are back in the house (`return.receive`).
    case received
    /// The refund is sent to the gateway and not yet answered.
    case refunding
    /// Credited and paid back (`return.refund`).
    case refunded
}

/// A return of delivered goods (`return.create`), numbered in its own gapless series
/// (`NumberSeries.goodsReturn`). A withdrawal (fortrydelsesret, forbrugeraftaleloven § 18) must
/// be refunded within 14 days of the customer's notice (`deadline`); the shop may wait until it
/// has the goods back or proof that they were sent (§ 22).
public struct GoodsReturn: Sendable, Equatable {
    /// The withdrawal's refund deadline after `return.create`, in seconds (14 days).
    public static let withdrawalDeadline: Int64 = 14 * 86_400

    public var number: Int64
    public var reference: String
    public var order: Int64
    public var lines: [LineQuantity]
    public var reason: String
    public var withdrawal: Bool
    public var state: ReturnState
    public var createdAt: Timestamp
    /// A withdrawal's refund deadline (nil for other returns).
    public var deadline: Timestamp?
    public var receivedAt: Timestamp?
    public var refundedAt: Timestamp?
    /// The idempotency key of the refund's effect group while and after it is sent.
    public var refundKey: String?
    /// What the refund asked for and what was paid back (minor units).
    public var refundRequested: Int64?
    public var refunded: Int64?
    /// The credit note issued for the refund.
    public var creditNote: Int64?

    public init(number: Int64, reference: String, order: Int64, lines: [LineQuantity], reason: String, withdrawal: Bool,
                createdAt: Timestamp) {
        self.number = number
        self.reference = reference
        self.order = order
        self.lines = lines
        self.reason = reason
        self.withdrawal = withdrawal
        self.state = .created
        self.createdAt = createdAt
        self.deadline = withdrawal ? Timestamp(seconds: createdAt.seconds + Self.withdrawalDeadline) : nil
    }

    /// Units of each sku on the return.
    public var units: [String: Int64] { lines.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.qty } }

    /// The return as commands show it.
    public var json: JSON {
        [
            "number": .int(number), "reference": .string(reference), "order": .int(order), "lines": .array(lines.map(\.json)),
            "reason": .string(reason), "withdrawal": .bool(withdrawal), "state": .string(state.rawValue),
            "created_at": .string(createdAt.iso8601), "deadline": .optional(deadline?.iso8601),
            "received_at": .optional(receivedAt?.iso8601), "refunded_at": .optional(refundedAt?.iso8601),
            "refund_key": .optional(refundKey), "refund_requested": .optional(refundRequested), "refunded": .optional(refunded),
            "credit_note": .optional(creditNote),
        ]
    }

    /// The stored form (every field, times in seconds).
    public var stored: JSON {
        [
            "number": .int(number), "reference": .string(reference), "order": .int(order), "lines": .array(lines.map(\.json)),
            "reason": .string(reason), "withdrawal": .bool(withdrawal), "state": .string(state.rawValue),
            "created_at": .int(createdAt.seconds), "deadline": .optional(deadline?.seconds),
            "received_at": .optional(receivedAt?.seconds), "refunded_at": .optional(refundedAt?.seconds),
            "refund_key": .optional(refundKey), "refund_requested": .optional(refundRequested), "refunded": .optional(refunded),
            "credit_note": .optional(creditNote),
        ]
    }

    /// Restores from `stored` (trusted).
    public init?(stored j: JSON) {
        guard let n = j["number"]?.intValue, let ref = j["reference"]?.stringValue, let o = j["order"]?.intValue,
              let at = j["created_at"]?.intValue else { return nil }
        self.init(number: n, reference: ref, order: o, lines: LineQuantity.list(from: j["lines"]), reason: j["reason"]?.stringValue ?? "",
                  withdrawal: j["withdrawal"]?.boolValue ?? false, createdAt: Timestamp(seconds: at))
        state = j["state"]?.stringValue.flatMap(ReturnState.init(rawValue:)) ?? .created
        deadline = j["deadline"]?.intValue.map { Timestamp(seconds: $0) }
        receivedAt = j["received_at"]?.intValue.map { Timestamp(seconds: $0) }
        refundedAt = j["refunded_at"]?.intValue.map { Timestamp(seconds: $0) }
        refundKey = j["refund_key"]?.stringValue
        refundRequested = j["refund_requested"]?.intValue
        refunded = j["refunded"]?.intValue
        creditNote = j["credit_note"]?.intValue
    }
}
