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
    /// The gateway declined (a part of) the refund: `refunded` and `credit_notes` say what went
    /// back; the return stays open, `return.check` lists it, `return.refund` sends the rest.
    case refundFailed = "refund_failed"
}

/// One credit note's worth of a return's refund: the returned units invoiced on one invoice,
/// credited against it and paid back per authorisation under its own effect group.
public struct ReturnRefundPart: Sendable, Equatable {
    /// Where the part stands.
    public enum State: String, Sendable {
        /// Sent to the gateway, not yet answered.
        case pending
        /// Paid back in full (`refunded == amount`).
        case refunded
        /// The last attempt was (partly) declined; `return.refund` sends what is left.
        case failed
    }

    /// The invoice the units are credited against.
    public var invoice: Int64
    /// The units of goods and fees credited (fee units only on a whole withdrawal).
    public var units: [LineQuantity]
    /// What this part pays back in all (minor units, gross).
    public var amount: Int64
    /// Of the freight on this invoice, what is not credited: above the cheapest standard
    /// delivery (forbrugeraftaleloven § 18, stk. 2; setting `standard_delivery_fee`).
    public var freightWithheld: Int64
    /// What the units (and fees) are worth beyond what the invoice had left to credit at their
    /// rates when the refund was planned: taken already by earlier credit notes against it
    /// (e.g. a goodwill amount), so not paid back again.
    public var alreadyCredited: Int64 = 0
    /// Paid back so far, over every attempt.
    public var refunded: Int64
    /// The credit notes issued for it (one per attempt that paid anything back).
    public var creditNotes: [Int64]
    /// The effect group key of every attempt, oldest first (the parts' keys are `<key>`, `<key>#2`, …).
    public var keys: [String]
    /// Where the part stands.
    public var state: State

    public init(invoice: Int64, units: [LineQuantity], amount: Int64, freightWithheld: Int64 = 0) {
        self.invoice = invoice
        self.units = units
        self.amount = amount
        self.freightWithheld = freightWithheld
        self.refunded = 0
        self.creditNotes = []
        self.keys = []
        self.state = .pending
    }

    /// What is left to pay back.
    public var left: Int64 { max(0, amount - refunded) }

    /// The part as commands show it and as it is stored.
    public var json: JSON {
        [
            "invoice": .int(invoice), "lines": .array(units.map(\.json)), "amount": .int(amount),
            "freight_withheld": .int(freightWithheld), "already_credited": .int(alreadyCredited), "refunded": .int(refunded),
            "credit_notes": .array(creditNotes.map { .int($0) }), "idempotency_keys": .array(keys.map { .string($0) }),
            "state": .string(state.rawValue),
        ]
    }

    /// Restores from `json` (trusted).
    public init?(stored j: JSON) {
        guard let inv = j["invoice"]?.intValue, let amt = j["amount"]?.intValue else { return nil }
        self.init(invoice: inv, units: LineQuantity.list(from: j["lines"]), amount: amt, freightWithheld: j["freight_withheld"]?.intValue ?? 0)
        alreadyCredited = j["already_credited"]?.intValue ?? 0
        refunded = j["refunded"]?.intValue ?? 0
        creditNotes = (j["credit_notes"]?.arrayValue ?? []).compactMap(\.intValue)
        keys = (j["idempotency_keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        state = j["state"]?.stringValue.flatMap(State.init(rawValue:)) ?? .pending
    }
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
    /// The first credit note issued for the refund (`creditNotes` has them all).
    public var creditNote: Int64?
    /// The refund's parts, one per invoice the returned units were invoiced on (empty before
    /// `return.refund`, and for returns refunded before parts existed).
    public var refundParts: [ReturnRefundPart] = []
    /// On a whole withdrawal: the freight charged, credited and withheld (above the cheapest
    /// standard delivery, `standard_delivery_fee`), and that fee (nil when not set).
    public var freight: FreightRefund?

    /// Every credit note issued for the refund, in issue order.
    public var creditNotes: [Int64] {
        let fromParts = refundParts.flatMap(\.creditNotes).sorted()
        return fromParts.isEmpty ? (creditNote.map { [$0] } ?? []) : fromParts
    }

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
            "credit_note": .optional(creditNote), "credit_notes": .array(creditNotes.map { .int($0) }),
            "refunds": .array(refundParts.map(\.json)), "freight": freight?.json ?? .null,
            "left_to_refund": .optional(refundParts.isEmpty ? nil : refundParts.reduce(0) { $0 + $1.left }),
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
            "credit_note": .optional(creditNote), "refunds": .array(refundParts.map(\.json)), "freight": freight?.json ?? .null,
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
        refundParts = (j["refunds"]?.arrayValue ?? []).compactMap(ReturnRefundPart.init(stored:))
        freight = j["freight"].flatMap(FreightRefund.init(stored:))
    }
}

/// The freight of a whole withdrawal: the law asks the shop to refund delivery only up to the
/// cheapest standard delivery it offered (forbrugeraftaleloven § 18, stk. 2); the rest of a
/// dearer delivery the customer chose is withheld.
public struct FreightRefund: Sendable, Equatable {
    /// The shipping fees charged (invoiced and not credited before), gross.
    public var charged: Int64
    /// What is credited of them.
    public var credited: Int64
    /// The cheapest standard delivery (`standard_delivery_fee` for the order's currency); nil
    /// when the shop has not set it (then the full fee is credited).
    public var standardDeliveryFee: Int64?

    public init(charged: Int64, credited: Int64, standardDeliveryFee: Int64?) {
        self.charged = charged
        self.credited = credited
        self.standardDeliveryFee = standardDeliveryFee
    }

    /// What is not credited.
    public var withheld: Int64 { charged - credited }

    /// The freight as commands show it and as it is stored.
    public var json: JSON {
        ["charged": .int(charged), "credited": .int(credited), "withheld": .int(withheld),
         "standard_delivery_fee": .optional(standardDeliveryFee)]
    }

    /// Restores from `json` (trusted).
    public init?(stored j: JSON) {
        guard let c = j["charged"]?.intValue, let cr = j["credited"]?.intValue else { return nil }
        self.init(charged: c, credited: cr, standardDeliveryFee: j["standard_delivery_fee"]?.intValue)
    }
}
