import OrderCore

/// Something that happened to an order inside a command, delivered to hooks before the
/// command's transaction commits.
///
/// Names: `order.created`, `order.status_changed`, `order.cancelled`, `payment.authorized`,
/// `payment.captured`, `payment.capture_failed`, `payment.voided`, `payment.refunded`,
/// `shipment.created`, `shipment.handed_over`, `shipment.delivered`, `invoice.created`,
/// `credit_note.created`.
public struct EngineEvent: Sendable, Equatable {
    public var name: String
    public var order: Int64
    /// Status change: previous status.
    public var from: String?
    /// Status change: new status.
    public var to: String?
    /// Payments: the amount.
    public var amount: Int64?
    /// Shipments: the shipment id.
    public var shipment: Int64?
    /// Anything else (invoice number, failure reason, …).
    public var detail: JSON

    public init(name: String, order: Int64, from: String? = nil, to: String? = nil, amount: Int64? = nil,
                shipment: Int64? = nil, detail: JSON = .null) {
        self.name = name
        self.order = order
        self.from = from
        self.to = to
        self.amount = amount
        self.shipment = shipment
        self.detail = detail
    }

    /// The JSON form handed to hooks (`ev.name`, `ev.order`, …; the Lua host adds the order object).
    public var json: JSON {
        var o: JSONObject = ["name": .string(name), "order": .int(order)]
        if let from { o["from"] = .string(from) }
        if let to { o["to"] = .string(to) }
        if let amount { o["amount"] = .int(amount) }
        if let shipment { o["shipment"] = .int(shipment) }
        if !detail.isNull { o["detail"] = detail }
        return .object(o)
    }
}

/// The seam for workflow scripts: guards run before a command, hooks after each event, both
/// inside the command's write transaction. Throwing refuses or fails the command, which rolls
/// back entirely. The Lua host (OrderScript) implements this.
///
/// Called only from write transactions, which the engine serialises, so an implementation sees
/// one call at a time per engine (but possibly from different threads).
public protocol EngineHooks: AnyObject, Sendable {
    /// Runs before command `name` (at any nesting depth). Throw to refuse.
    func before(command name: String, params: JSON, context: CommandContext) throws
    /// Runs for each event the command emitted, after the command's own writes.
    func on(event: EngineEvent, context: CommandContext) throws
}
