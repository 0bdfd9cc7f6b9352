/// One entry of an order's append-only history: what happened, when (engine clock), by whom,
/// through which command, and the figures involved.
public struct TimelineEvent: Sendable, Equatable {
    public var id: Int64
    public var order: Int64
    public var at: Timestamp
    /// Who caused it: `cli`, `api`, `lua`, `system`, or a name the host passes.
    public var actor: String
    /// The command that made the change (`order.set_status`).
    public var command: String
    /// The event (`order.status_changed`, `payment.captured`, …).
    public var event: String
    public var from: String?
    public var to: String?
    public var amount: Int64?
    /// Any further facts (shipment id, invoice number, reason, idempotency key).
    public var detail: JSON

    public init(id: Int64 = 0, order: Int64, at: Timestamp, actor: String, command: String, event: String,
                from: String? = nil, to: String? = nil, amount: Int64? = nil, detail: JSON = .null) {
        self.id = id
        self.order = order
        self.at = at
        self.actor = actor
        self.command = command
        self.event = event
        self.from = from
        self.to = to
        self.amount = amount
        self.detail = detail
    }

    public var json: JSON {
        var o: JSONObject = [
            "id": .int(id), "order": .int(order), "at": .string(at.iso8601), "actor": .string(actor),
            "command": .string(command), "event": .string(event),
        ]
        if let from { o["from"] = .string(from) }
        if let to { o["to"] = .string(to) }
        if let amount { o["amount"] = .int(amount) }
        if !detail.isNull { o["detail"] = detail }
        return .object(o)
    }
}
