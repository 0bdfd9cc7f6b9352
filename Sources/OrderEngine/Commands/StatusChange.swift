import OrderCore
import OrderStore

/// Moves an order along the status graph: checks the edge, saves, records the timeline,
/// emits `order.status_changed` and queues the status e-mail — all in the caller's transaction.
enum StatusChange {
    /// Returns the outbox ids queued. Throws `policy` for a missing edge, `not_found` for an unknown status.
    @discardableResult
    static func apply(_ a: inout OrderAggregate, to status: String, ctx: CommandContext, note: String? = nil) throws -> [Int64] {
        let from = a.order.status
        try ctx.statuses.checkTransition(from: from, to: status, order: a.order.number)
        a.order.status = status
        try ctx.save(&a)
        try ctx.record(order: a.order.number, event: "order.status_changed", from: from, to: status,
                       detail: note.map { ["note": .string($0)] } ?? .null)
        ctx.emit(EngineEvent(name: "order.status_changed", order: a.order.number, from: from, to: status))
        guard let def = ctx.statuses[status] else { return [] }
        return try StatusMail.queue(for: a, status: def, ctx: ctx)
    }
}
