import OrderCore
import OrderStore

/// `order.create`, `order.get`, `order.set_status`, `order.set_notify`, `order.cancel`, `order.timeline`.
enum OrderCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("order.create", .write, "create an order; assigns the next order number", run: create))
        r.register(Command("order.get", .read, "one order with its payments, shipments and invoices", run: get))
        r.register(Command("order.set_status", .write, "move an order along the status graph; queues the status e-mail when notify is on", run: setStatus))
        r.register(Command("order.set_notify", .write, "turn the automatic status e-mail on or off for one order", run: setNotify))
        r.register(Command("order.cancel", .write, "cancel an order; voids its open authorisation", run: cancel))
        r.register(Command("order.timeline", .read, "the order's append-only event history", run: timeline))
    }

    /// The `order` parameter: a positive order number.
    static func orderNumber(_ p: ParamReader) throws -> Int64 {
        try p.requiredInt("order", in: 1...Int64.max)
    }

    static func orderJSON(_ a: OrderAggregate, _ ctx: CommandContext) -> JSON {
        a.json(now: ctx.now, statusLabel: ctx.statuses[a.order.status]?.label(a.order.customer.language))
    }

    static func create(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let draft = try OrderDraft(p, feeRelease: ctx.settings.feeCapture, oss: ctx.settings.oss)
        try p.finish()
        let number = try ctx.session.drawNumber(.order)
        let order = Order(
            number: number, reference: NumberSeries.format(number, prefix: ctx.settings.prefix(.order)),
            status: StatusGraph.initialStatus, customer: draft.customer, lines: draft.lines, currency: draft.currency,
            delivery: draft.delivery, tags: draft.tags, note: draft.note, notify: draft.notify, version: 1, createdAt: ctx.now,
            fees: draft.fees, discounts: draft.discounts, reverseCharge: draft.reverseCharge,
            vatCountry: draft.vatCountry)
        let a = OrderAggregate(order: order)
        try ctx.session.insertOrder(a)
        ctx.inserted(a)
        try ctx.record(order: number, event: "order.created", to: order.status, amount: order.total)
        ctx.emit(EngineEvent(name: "order.created", order: number, to: order.status, amount: order.total))
        return orderJSON(a, ctx)
    }

    static func get(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try orderNumber(p)
        try p.finish()
        return orderJSON(try ctx.aggregate(n), ctx)
    }

    static func setStatus(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try orderNumber(p)
        let status = try p.requiredString("status", maxLength: 40)
        let expected = try p.int("expected_version")
        let note = try p.string("note", maxLength: 1000)
        try p.finish()
        var a = try ctx.aggregate(n, expectedVersion: expected)
        let from = a.order.status
        if from == status {
            return ["order": .int(n), "status": .string(status), "from": .string(from), "changed": false,
                    "version": .int(a.order.version), "outbox": []]
        }
        if status == "cancelled" {
            // One way to cancel: the same checks and the void as order.cancel.
            var r = try cancel(&a, reason: note, ctx: ctx).objectValue ?? JSONObject()
            r["changed"] = true
            return .object(r)
        }
        let queued = try StatusChange.apply(&a, to: status, ctx: ctx, note: note)
        return ["order": .int(n), "status": .string(status), "from": .string(from), "changed": true,
                "version": .int(a.order.version), "outbox": .array(queued.map { .int($0) })]
    }

    static func setNotify(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try orderNumber(p)
        guard let notify = try p.bool("notify") else { throw OrderError.invalid("notify", "is required") }
        let expected = try p.int("expected_version")
        try p.finish()
        var a = try ctx.aggregate(n, expectedVersion: expected)
        if a.order.notify != notify {
            a.order.notify = notify
            try ctx.save(&a)
            try ctx.record(order: n, event: "order.notify_changed", from: String(!notify), to: String(notify))
        }
        return ["order": .int(n), "notify": .bool(notify), "version": .int(a.order.version)]
    }

    static func cancel(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try orderNumber(p)
        let reason = try p.string("reason", maxLength: 1000)
        let expected = try p.int("expected_version")
        try p.finish()
        var a = try ctx.aggregate(n, expectedVersion: expected)
        return try cancel(&a, reason: reason, ctx: ctx)
    }

    /// Cancels an order (also when `order.set_status` is asked for `cancelled`): refused while
    /// money is captured and not refunded, goods have left, or a capture is in flight; voids
    /// what the authorisations still hold (after the commit; the outcome is under `effects`).
    static func cancel(_ a: inout OrderAggregate, reason: String?, ctx: CommandContext) throws -> JSON {
        let n = a.order.number
        if a.payments.captured > a.payments.refunded {
            throw OrderError.policy("order \(n) has \(a.order.currency.format(a.payments.captured - a.payments.refunded)) captured and not refunded; issue a credit note (credit_note.create) before cancelling")
        }
        if a.shipments.contains(where: \.isHandedOver) {
            throw OrderError.policy("order \(n) has goods that left the house; register the return (status 'returned') instead of cancelling")
        }
        if try ctx.session.pendingAmount(order: n, kind: "capture") > 0 {
            throw OrderError.conflict("order \(n) has a capture in flight; run payment.reconcile before cancelling")
        }
        let from = a.order.status
        try StatusChange.apply(&a, to: "cancelled", ctx: ctx, note: reason)
        ctx.emit(EngineEvent(name: "order.cancelled", order: n, from: from, to: "cancelled", detail: reason.map { ["reason": .string($0)] } ?? .null))
        var voiding: Int64 = 0
        if a.payments.capturable(at: ctx.now) > 0 {
            // One void per valid authorisation; expired ones lapse by themselves.
            for effect in try PaymentCommands.recordVoid(&a, ctx: ctx, key: nil) {
                voiding += effect.amount
                // The cancellation stands even if the gateway refuses the void; the outcome is reported under "effects".
                ctx.effects.append(QueuedEffect(record: effect, primary: false))
            }
        }
        return ["order": .int(n), "status": "cancelled", "from": .string(from), "voiding": .int(voiding), "version": .int(a.order.version)]
    }

    static func timeline(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try orderNumber(p)
        try p.finish()
        guard try ctx.session.orderExists(n) else { throw OrderError.notFound("order \(n) does not exist") }
        return ["order": .int(n), "events": .array(try ctx.session.timeline(of: n).map(\.json))]
    }
}
