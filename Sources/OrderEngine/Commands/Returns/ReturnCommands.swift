import OrderCore
import OrderStore

/// `return.create`, `return.receive`, `return.get`, `return.find`, `return.check` (and
/// `return.refund` in `ReturnRefund`): returns of delivered goods, numbered in their own
/// gapless series (settings `return_number_start`, `return_number_prefix`).
enum ReturnCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("return.create", .write, "register a return of delivered goods (a withdrawal: refund within 14 days)", run: create))
        r.register(Command("return.receive", .write, "the returned goods are back in the house", run: receive))
        r.register(Command("return.refund", .write, "credit note for the returned goods (and the fees on a whole withdrawal), refunded through the gateway", run: ReturnRefund.refund))
        r.register(Command("return.get", .read, "one return", run: get))
        r.register(Command("return.find", .read, "returns by order, state, withdrawal and date; keyset paging", run: find))
        r.register(Command("return.check", .read, "returns not yet refunded whose deadline is within N days or past, and returns whose refund failed", run: check))
    }

    /// Reads `return` and loads it (`not_found` naming the field when unknown).
    static func load(_ p: ParamReader, _ ctx: CommandContext) throws -> GoodsReturn {
        let n = try p.requiredInt("return", in: 1...Int64.max)
        guard let r = try ctx.session.goodsReturn(n) else { throw OrderError(.notFound, "return: return \(n) does not exist", field: "return") }
        return r
    }

    /// Units of each sku that left the house (shipments handed over or delivered).
    static func delivered(_ a: OrderAggregate) -> [String: Int64] {
        a.shipments.filter { $0.state != .created }.reduce(into: [:]) { out, s in
            for l in s.lines { out[l.sku, default: 0] += l.qty }
        }
    }

    /// Units of each sku on `returns`.
    static func returnedUnits(_ returns: [GoodsReturn]) -> [String: Int64] {
        returns.reduce(into: [:]) { out, r in for (k, v) in r.units { out[k, default: 0] += v } }
    }

    static func create(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        guard let given = try p.objects("lines", maxCount: Amounts.maxLines) else { throw OrderError.invalid("lines", "is required: the returned lines [{\"sku\", \"qty\"}]") }
        let lines = try given.map { r throws(OrderError) in try LineQuantity(r) }
        let reason = try p.requiredString("reason", maxLength: 1000)
        let withdrawal = try p.bool("withdrawal") ?? false
        try p.finish()
        if lines.isEmpty { throw OrderError.invalid("lines", "name at least one line") }
        let a = try ctx.aggregate(n)
        // The right of withdrawal is the consumer's (forbrugeraftaleloven § 1, kap. 4): a
        // business buyer has none by law; an ordinary return stays possible.
        if withdrawal, let who = businessBuyer(a.order.customer) {
            throw OrderError(.policy, "withdrawal: the customer of order \(n) is a business (\(who)); businesses have no statutory right of withdrawal — register an ordinary return (withdrawal false)", field: "withdrawal")
        }
        let sent = delivered(a)
        var returned = returnedUnits(try ctx.session.returns(of: n))
        for (k, l) in lines.enumerated() {
            guard a.order.goods.contains(where: { $0.sku == l.sku }) else {
                throw OrderError.invalid("lines[\(k)].sku", "order \(n) has no goods line with sku '\(l.sku)'")
            }
            let open = (sent[l.sku] ?? 0) - (returned[l.sku] ?? 0)
            if l.qty > open {
                throw OrderError(.policy, "lines[\(k)].qty: order \(n) has \(sent[l.sku] ?? 0) of sku '\(l.sku)' delivered and \(returned[l.sku] ?? 0) returned already; at most \(max(0, open)) can be returned, asked for \(l.qty)", field: "lines[\(k)].qty")
            }
            returned[l.sku, default: 0] += l.qty
        }
        let number = try ctx.session.drawNumber(.goodsReturn)
        let r = GoodsReturn(number: number, reference: NumberSeries.format(number, prefix: ctx.settings.prefix(.goodsReturn)), order: n,
                            lines: lines, reason: reason, withdrawal: withdrawal, createdAt: ctx.now)
        try ctx.session.insertReturn(r)
        let detail: JSON = ["return": .int(number), "reference": .string(r.reference), "lines": .array(lines.map(\.json)),
                            "withdrawal": .bool(withdrawal), "reason": .string(reason)]
        try ctx.record(order: n, event: "return.created", detail: detail)
        ctx.emit(EngineEvent(name: "return.created", order: n, detail: detail))
        var out = r.json.objectValue ?? [:]
        out["outbox"] = .array(try ReturnMail.created(r, a, ctx).map { .int($0) })
        return .object(out)
    }

    /// What makes `c` a business buyer ("company 'X'", "VAT number DK…"), nil for a consumer.
    static func businessBuyer(_ c: Customer) -> String? {
        if let v = c.vatNumber, !v.trimmingSpaces.isEmpty { return "VAT number \(v)" }
        if let co = c.company, !co.trimmingSpaces.isEmpty { return "company '\(co)'" }
        return nil
    }

    static func receive(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var r = try load(p, ctx)
        try p.finish()
        guard r.receivedAt == nil else {
            throw OrderError(.policy, "return: return \(r.reference) was received already (\(r.receivedAt!.iso8601))", field: "return")
        }
        r.receivedAt = ctx.now
        if r.state == .created { r.state = .received }
        try ctx.session.updateReturn(r)
        let detail: JSON = ["return": .int(r.number), "reference": .string(r.reference), "lines": .array(r.lines.map(\.json))]
        try ctx.record(order: r.order, event: "return.received", detail: detail)
        ctx.emit(EngineEvent(name: "return.received", order: r.order, detail: detail))
        // Every unit that left the house is back: the order is returned (when its status may go there).
        var a = try ctx.aggregate(r.order)
        let back = returnedUnits(try ctx.session.returns(of: r.order).filter { $0.receivedAt != nil })
        let sent = delivered(a)
        var outbox: [Int64] = []
        if !sent.isEmpty, sent.allSatisfy({ back[$0.key, default: 0] >= $0.value }),
           a.order.goods.allSatisfy({ sent[$0.sku, default: 0] >= $0.qty }),
           ctx.statuses[a.order.status]?.transitions.contains("returned") == true {
            outbox = try StatusChange.apply(&a, to: "returned", ctx: ctx, note: r.reference)
        }
        var out = r.json.objectValue ?? [:]
        out["order_status"] = .string(a.order.status)
        out["outbox"] = .array(outbox.map { .int($0) })
        return .object(out)
    }

    static func get(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let r = try load(p, ctx)
        try p.finish()
        return r.json
    }

    static func find(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var f = ReturnFilter()
        f.order = try p.int("order", in: 1...Int64.max)
        if let s = try p.stringOrStrings("state") {
            if s.isEmpty { throw OrderError.invalid("state", "name at least one state (\(ReturnState.allCases.map(\.rawValue).joined(separator: ", "))), or leave it out") }
            f.states = try s.enumerated().map { k, v throws(OrderError) in
                guard let st = ReturnState(rawValue: v) else {
                    throw OrderError.invalid(s.count == 1 ? "state" : "state[\(k)]", "'\(v)' is not one of \(ReturnState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return st
            }
        }
        f.withdrawal = try p.bool("withdrawal")
        f.createdFrom = try p.timestamp("created_from", zone: ctx.settings.timeZone)
        f.createdTo = try p.timestamp("created_to", zone: ctx.settings.timeZone)
        if let from = f.createdFrom, let to = f.createdTo, to.seconds <= from.seconds {
            throw OrderError.invalid("created_to", "\(to.iso8601) is not after created_from \(from.iso8601): the range is empty")
        }
        let after = try p.int("after", in: 0...Int64.max)
        let limit = Int(try p.int("limit", in: 1...1000) ?? 50)
        try p.finish()
        let found = try ctx.session.findReturns(f, after: after, limit: limit + 1)
        let page = found.prefix(limit)
        return ["returns": .array(page.map(\.json)), "next": found.count > limit ? .int(page.last!.number) : .null]
    }

    /// The note `return.check` carries (forbrugeraftaleloven § 22, stk. 4).
    static let checkNote: JSON = [
        "da": "Butikken må vente med tilbagebetalingen, til varerne er modtaget retur, eller kunden har dokumenteret at have sendt dem (forbrugeraftaleloven § 22, stk. 4).",
        "en": "The shop may withhold the refund until it has received the goods back or the customer has supplied proof of having sent them (Danish Consumer Contracts Act § 22(4)).",
    ]

    static func check(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let days = try p.int("days", in: 0...365) ?? 3
        try p.finish()
        // Withdrawals whose deadline is within `days` or past, and every return whose refund
        // failed (deadline or not): both need the shop.
        var due = ReturnFilter()
        due.states = [.created, .received, .refunding, .refundFailed]
        due.deadlineBy = Timestamp(seconds: ctx.now.seconds + days * 86_400)
        var failed = ReturnFilter()
        failed.states = [.refundFailed]
        var found: [Int64: GoodsReturn] = [:]
        for f in [due, failed] {
            var after: Int64 = 0
            while true {
                let batch = try ctx.session.findReturns(f, after: after, limit: 500)
                for r in batch { found[r.number] = r }
                guard batch.count == 500, let last = batch.last else { break }
                after = last.number
            }
        }
        var out: [JSON] = []
        for r in found.values.sorted(by: { $0.number < $1.number }) {
            guard var o = r.json.objectValue else { continue }
            if let d = r.deadline {
                let left = d.seconds - ctx.now.seconds
                o["overdue"] = .bool(left < 0)
                o["days_left"] = .int(left >= 0 ? left / 86_400 : -((-left + 86_399) / 86_400))
            } else {
                o["overdue"] = false
                o["days_left"] = .null
            }
            o["goods_received"] = .bool(r.receivedAt != nil)
            o["refund_failed"] = .bool(r.state == .refundFailed)
            out.append(.object(o))
        }
        return ["days": .int(days), "returns": .array(out), "count": .int(Int64(out.count)), "note": checkNote]
    }
}
