import OrderCore

/// The one action `orders.mass_update` applies to every selected order.
public enum MassUpdateAction: Sendable, Equatable {
    /// `{"set_status": "shipped", "note"?}`: move along the status graph (already there: skipped).
    case setStatus(String, note: String?)
    /// `{"capture": true}`: capture what the capture policy allows now (nothing: skipped), so
    /// running the same update again never captures twice.
    case capture
    /// `{"hand_over": true}`: hand over every shipment still in the house (none: skipped).
    case handOver
    /// `{"add_tag": "x"}` / `{"remove_tag": "x"}`.
    case addTag(String), removeTag(String)

    /// Reads the action object; exactly one action key.
    public init(_ json: JSON) throws(OrderError) {
        let p = try ParamReader(json, path: "action")
        let keys = (json.objectValue?.keys ?? []).filter { $0 != "note" }
        guard keys.count == 1 else {
            throw OrderError.invalid("action", "name exactly one of set_status, capture, hand_over, add_tag, remove_tag")
        }
        switch keys[0] {
        case "set_status": self = .setStatus(try p.requiredString("set_status", maxLength: 40), note: try p.string("note", maxLength: 1000))
        case "capture":
            guard try p.bool("capture") == true else { throw OrderError.invalid("action.capture", "must be true") }
            self = .capture
        case "hand_over":
            guard try p.bool("hand_over") == true else { throw OrderError.invalid("action.hand_over", "must be true") }
            self = .handOver
        case "add_tag": self = .addTag(try p.requiredString("add_tag", maxLength: 64))
        case "remove_tag": self = .removeTag(try p.requiredString("remove_tag", maxLength: 64))
        default: throw OrderError.invalid("action.\(keys[0])", "unknown action (set_status, capture, hand_over, add_tag, remove_tag)")
        }
        try p.finish()
    }

    /// The command calls that perform the action on order `n` inside a transaction; returns the
    /// result, or nil when there was nothing to do (skipped, with the reason).
    func apply(to n: Int64, _ ctx: CommandContext) throws -> (JSON?, skipped: String?) {
        switch self {
        case .setStatus(let status, let note):
            var p: JSONObject = ["order": .int(n), "status": .string(status)]
            if let note { p["note"] = .string(note) }
            let r = try ctx.call("order.set_status", .object(p))
            return r["changed"] == .bool(false) ? (r, "already \(status)") : (r, nil)
        case .capture:
            let a = try ctx.aggregate(n)
            let inFlight = try ctx.session.pendingAmount(order: n, kind: "capture")
            if ctx.settings.capturePolicy.allowance(a, inFlight: inFlight).limit == 0 {
                let cur = a.order.currency
                // A capture whose outcome is not yet known is why nothing more may be drawn: say so.
                let pending = inFlight > 0 ? "; \(cur.format(inFlight)) in flight: run payment.reconcile" : ""
                return (nil, "nothing to capture now (captured \(cur.format(a.payments.captured))\(pending))")
            }
            return (try ctx.call("payment.capture", ["order": .int(n)]), nil)
        case .handOver:
            if try ctx.aggregate(n).shipments.allSatisfy(\.isHandedOver) { return (nil, "no shipment in the house") }
            return (try ctx.call("shipment.hand_over", ["order": .int(n)])["shipments"] ?? [], nil)
        case .addTag(let t):
            let a = try ctx.aggregate(n)
            if a.order.tags.contains(t) { return (nil, "already tagged \(t)") }
            return (try ctx.call("order.tag", ["order": .int(n), "add": [.string(t)]]), nil)
        case .removeTag(let t):
            let a = try ctx.aggregate(n)
            if !a.order.tags.contains(t) { return (nil, "not tagged \(t)") }
            return (try ctx.call("order.tag", ["order": .int(n), "remove": [.string(t)]]), nil)
        }
    }
}
