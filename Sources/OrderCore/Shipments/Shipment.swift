/// How a shipment travels.
public enum ShipmentMethod: String, Sendable, CaseIterable {
    /// Booked with a carrier, with a label and tracking number.
    case carrier
    /// Sent by hand or with a carrier the engine does not talk to.
    case manual
    /// Click-and-collect: handed to the customer at a pickup location.
    case pickup
}

/// Where a shipment is in its life. Each step is recorded with its time.
public enum ShipmentState: String, Sendable, CaseIterable {
    /// Packed and labelled; still in the house.
    case created
    /// Left the house (collected by the carrier) or handed to the customer at pickup.
    case handed_over
    /// Delivered to the customer.
    case delivered
}

/// A shipment of some or all of an order's lines.
public struct Shipment: Sendable, Equatable {
    public var id: Int64
    public var order: Int64
    public var method: ShipmentMethod
    public var carrier: String?
    public var tracking: String?
    public var location: String?
    public var lines: [LineQuantity]
    public var state: ShipmentState
    public var createdAt: Timestamp
    public var handedOverAt: Timestamp?
    public var deliveredAt: Timestamp?

    public init(id: Int64, order: Int64, method: ShipmentMethod, carrier: String? = nil, tracking: String? = nil,
                location: String? = nil, lines: [LineQuantity], state: ShipmentState = .created, createdAt: Timestamp,
                handedOverAt: Timestamp? = nil, deliveredAt: Timestamp? = nil) {
        self.id = id
        self.order = order
        self.method = method
        self.carrier = carrier
        self.tracking = tracking
        self.location = location
        self.lines = lines
        self.state = state
        self.createdAt = createdAt
        self.handedOverAt = handedOverAt
        self.deliveredAt = deliveredAt
    }

    /// Whether the goods have left the house (or were handed over at pickup).
    public var isHandedOver: Bool { state != .created }

    /// The JSON form (`shipment.create` result and `order.get`'s `shipments`).
    public var json: JSON {
        var o: JSONObject = [
            "shipment": .int(id), "order": .int(order), "method": .string(method.rawValue),
            "state": .string(state.rawValue), "lines": .array(lines.map(\.json)),
        ]
        if let carrier { o["carrier"] = .string(carrier) }
        if let tracking { o["tracking"] = .string(tracking) }
        if let location { o["location"] = .string(location) }
        o["created_at"] = .string(createdAt.iso8601)
        if let handedOverAt { o["handed_over_at"] = .string(handedOverAt.iso8601) }
        if let deliveredAt { o["delivered_at"] = .string(deliveredAt.iso8601) }
        return .object(o)
    }
}

/// How far an order's goods have come, derived from its shipments (never set by hand).
public enum FulfilmentState: String, Sendable, CaseIterable {
    case unshipped, partially_shipped, shipped, delivered

    /// `unshipped` without shipments; `partially_shipped` while some ordered units are in no
    /// shipment; `shipped` when all are; `delivered` when all are and every shipment is delivered.
    public static func derive(lines: [OrderLine], shipments: [Shipment]) -> FulfilmentState {
        if shipments.isEmpty { return .unshipped }
        let shipped = shippedQuantities(shipments)
        let complete = lines.allSatisfy { (shipped[$0.sku] ?? 0) >= $0.qty }
        if !complete { return .partially_shipped }
        return shipments.allSatisfy { $0.state == .delivered } ? .delivered : .shipped
    }

    /// Units per SKU over `shipments` (all of them, or only those passing `filter`).
    public static func shippedQuantities(_ shipments: [Shipment], where filter: (Shipment) -> Bool = { _ in true }) -> [String: Int64] {
        var q: [String: Int64] = [:]
        for s in shipments where filter(s) {
            for l in s.lines { q[l.sku, default: 0] += l.qty }
        }
        return q
    }
}
