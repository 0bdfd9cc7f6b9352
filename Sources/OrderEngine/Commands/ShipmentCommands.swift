import OrderCore
import OrderStore

/// `shipment.create`, `shipment.hand_over`, `shipment.deliver`.
enum ShipmentCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("shipment.create", .write, "ship some or all lines: carrier with label/tracking, manual, or pickup", run: create))
        r.register(Command("shipment.hand_over", .write, "the parcel left the house, or was handed to the customer at pickup", run: handOver))
        r.register(Command("shipment.deliver", .write, "the shipment was delivered", run: deliver))
    }

    static func create(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let requested = try p.objects("lines", maxCount: Amounts.maxLines)?.map { r throws(OrderError) in try LineQuantity(r) }
        let methodName = try p.choice("method", ShipmentMethod.allCases.map(\.rawValue))
        let carrierParam = try p.string("carrier", maxLength: 64)
        let tracking = try p.string("tracking", maxLength: 100)
        let locationParam = try p.string("location", maxLength: 200)
        let expected = try p.int("expected_version")
        try p.finish()
        var a = try ctx.aggregate(n, expectedVersion: expected)
        if ["cancelled", "returned"].contains(a.order.status) {
            throw OrderError.policy("order \(n) is \(a.order.status); nothing can be shipped")
        }
        let shipped = a.shippedQuantities
        var lines: [LineQuantity] = []
        if let requested {
            if requested.isEmpty { throw OrderError.invalid("lines", "name at least one line, or leave lines out to ship everything left") }
            var seen: Set<String> = []
            for (k, l) in requested.enumerated() {
                guard let line = a.order.line(l.sku) else { throw OrderError.invalid("lines[\(k)].sku", "order \(n) has no line with sku '\(l.sku)'") }
                if line.isFee { throw OrderError.invalid("lines[\(k)].sku", "'\(l.sku)' is a fee; fees are not shipped") }
                if !seen.insert(l.sku).inserted { throw OrderError.invalid("lines[\(k)].sku", "sku '\(l.sku)' is named twice") }
                let left = line.qty - (shipped[l.sku] ?? 0)
                if l.qty > left { throw OrderError.conflict("lines[\(k)].qty: \(left) of sku '\(l.sku)' are left to ship on order \(n), asked for \(l.qty)") }
                lines.append(l)
            }
        } else {
            for line in a.order.goods {
                let left = line.qty - (shipped[line.sku] ?? 0)
                if left > 0 { lines.append(LineQuantity(sku: line.sku, qty: left)) }
            }
            if lines.isEmpty { throw OrderError.conflict("every line of order \(n) is already in a shipment") }
        }
        let carrier = carrierParam ?? a.order.delivery.carrier
        let method: ShipmentMethod = methodName.flatMap(ShipmentMethod.init(rawValue:))
            ?? (a.order.delivery.method == "pickup" ? .pickup : carrier != nil ? .carrier : .manual)
        var location: String? = locationParam
        if method == .pickup, location == nil, case .pickup(let l) = a.order.delivery { location = l }
        if method == .pickup, location == nil { throw OrderError.invalid("location", "a pickup shipment needs a location") }
        var trackingNumber = tracking
        if method == .carrier {
            guard let carrier else { throw OrderError.invalid("carrier", "a carrier shipment needs a carrier (or choose method manual)") }
            if trackingNumber == nil {
                // Deterministic key: a retry of a rolled-back command gets the first label back.
                let key = "label-\(n)-\(a.shipments.count + 1)"
                let addr = (a.order.customer.deliveryAddress ?? a.order.customer.billingAddress)?.singleLine
                do {
                    trackingNumber = try ctx.engine.configuration.carrier.bookLabel(LabelRequest(
                        carrier: carrier, order: n, orderReference: a.order.reference, recipient: a.order.customer.name,
                        address: addr, idempotencyKey: key)).tracking
                } catch {
                    let why = (error as? OrderError)?.message ?? "\(error)"
                    throw OrderError(.port, "carrier \(carrier) could not book a label for order \(n): \(why)")
                }
            }
        }
        let s = try ctx.session.insertShipment(Shipment(
            id: 0, order: n, method: method, carrier: method == .carrier ? carrier : carrierParam, tracking: trackingNumber,
            location: method == .pickup ? location : nil, lines: lines, createdAt: ctx.now))
        a.shipments.append(s)
        try ctx.save(&a)
        try ctx.record(order: n, event: "shipment.created", amount: lines.reduce(0) { $0 + (a.order.line($1.sku)?.value(of: $1.qty) ?? 0) },
                       detail: ["shipment": .int(s.id), "method": .string(method.rawValue), "tracking": .optional(trackingNumber)])
        ctx.emit(EngineEvent(name: "shipment.created", order: n, shipment: s.id))
        return result(s, a)
    }

    static func result(_ s: Shipment, _ a: OrderAggregate) -> JSON {
        guard case .object(var o) = s.json else { return s.json }
        o["fulfilment_state"] = .string(a.fulfilmentState.rawValue)
        o["version"] = .int(a.order.version)
        return .object(o)
    }

    static func load(_ ctx: CommandContext, _ p: ParamReader) throws -> (OrderAggregate, Int) {
        let id = try p.requiredInt("shipment", in: 1...Int64.max)
        try p.finish()
        guard let n = try ctx.session.orderOfShipment(id) else { throw OrderError.notFound("shipment \(id) does not exist") }
        let a = try ctx.aggregate(n)
        guard let i = a.shipments.firstIndex(where: { $0.id == id }) else { throw OrderError.notFound("shipment \(id) does not exist") }
        return (a, i)
    }

    /// `shipment.hand_over` of one shipment (`shipment`), or of every shipment of an order still
    /// in the house (`order`): the one place that decides what is still in the house (the Lua
    /// `Order:hand_over()` and `orders.mass_update`'s `hand_over` call this).
    static func handOver(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        if p.raw("shipment") == nil, let n = try p.int("order", in: 1...Int64.max) {
            try p.finish()
            let inHouse = try ctx.aggregate(n).shipments.filter { !$0.isHandedOver }
            var done: [JSON] = []
            for s in inHouse {
                var a = try ctx.aggregate(n)  // as the previous hand-over saved it
                guard let i = a.shipments.firstIndex(where: { $0.id == s.id }) else { continue }
                done.append(try handOver(&a, i, ctx))
            }
            let a = try ctx.aggregate(n)
            return ["order": .int(n), "shipments": .array(done), "fulfilment_state": .string(a.fulfilmentState.rawValue),
                    "version": .int(a.order.version)]
        }
        var (a, i) = try load(ctx, p)
        return try handOver(&a, i, ctx)
    }

    /// Hands over shipment `i` of `a` (a no-op when it left the house already).
    private static func handOver(_ a: inout OrderAggregate, _ i: Int, _ ctx: CommandContext) throws -> JSON {
        let s = a.shipments[i]
        if s.isHandedOver { return result(s, a) }
        if a.order.status == "cancelled" {
            throw OrderError.policy("order \(a.order.number) is cancelled; its shipment \(s.id) cannot be handed over")
        }
        a.shipments[i].state = .handed_over
        a.shipments[i].handedOverAt = ctx.now
        try ctx.session.updateShipment(a.shipments[i])
        try ctx.save(&a)
        let value = s.lines.reduce(0) { $0 + (a.order.line($1.sku)?.value(of: $1.qty) ?? 0) }
        try ctx.record(order: a.order.number, event: "shipment.handed_over", amount: value,
                       detail: ["shipment": .int(s.id), "method": .string(s.method.rawValue)])
        ctx.emit(EngineEvent(name: "shipment.handed_over", order: a.order.number, amount: value, shipment: s.id,
                             detail: ["method": .string(s.method.rawValue)]))
        return result(a.shipments[i], a)
    }

    static func deliver(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var (a, i) = try load(ctx, p)
        let s = a.shipments[i]
        if s.state == .delivered { return result(s, a) }
        if !s.isHandedOver { throw OrderError.conflict("shipment \(s.id) has not left the house yet; hand it over first (shipment.hand_over)") }
        a.shipments[i].state = .delivered
        a.shipments[i].deliveredAt = ctx.now
        try ctx.session.updateShipment(a.shipments[i])
        try ctx.save(&a)
        try ctx.record(order: a.order.number, event: "shipment.delivered", detail: ["shipment": .int(s.id)])
        ctx.emit(EngineEvent(name: "shipment.delivered", order: a.order.number, shipment: s.id))
        return result(a.shipments[i], a)
    }
}
