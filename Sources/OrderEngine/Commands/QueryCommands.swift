import OrderCore
import OrderStore

/// `order.find`, `order.count`, `invoice.get`, `invoice.find`.
enum QueryCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("order.find", .read, "orders by status, payment/fulfilment state, dates, text, tag, delivery, carrier; keyset paging", run: find))
        r.register(Command("order.count", .read, "how many orders a filter selects", run: count))
        r.register(Command("invoice.get", .read, "one invoice or credit note with every § 58 field", run: getInvoice))
        r.register(Command("invoice.find", .read, "invoices and credit notes by kind, order and issue date", run: findInvoices))
    }

    /// Reads the filter fields shared by `order.find`, `order.count` and `orders.mass_update`.
    static func filter(_ p: ParamReader, statuses: StatusGraph, zone: ShopTimeZone) throws -> OrderFilter {
        var f = OrderFilter()
        if let s = try p.stringOrStrings("status") {
            for (k, v) in s.enumerated() where statuses[v] == nil {
                throw OrderError.invalid(s.count == 1 ? "status" : "status[\(k)]", "unknown status '\(v)'; known: \(statuses.order.joined(separator: ", "))")
            }
            f.statuses = s
        }
        if let s = try p.stringOrStrings("payment_state") {
            f.paymentStates = try s.enumerated().map { k, v throws(OrderError) in
                guard let st = PaymentState(rawValue: v) else {
                    throw OrderError.invalid("payment_state", "'\(v)' is not one of \(PaymentState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return st
            }
        }
        if let s = try p.stringOrStrings("fulfilment_state") {
            f.fulfilmentStates = try s.map { v throws(OrderError) in
                guard let st = FulfilmentState(rawValue: v) else {
                    throw OrderError.invalid("fulfilment_state", "'\(v)' is not one of \(FulfilmentState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return st
            }
        }
        f.createdFrom = try p.timestamp("created_from", zone: zone)
        f.createdTo = try p.timestamp("created_to", zone: zone)
        f.text = try p.string("text", maxLength: 200)
        f.tags = try p.stringOrStrings("tag")
        f.deliveryMethod = try p.choice("delivery_method", ["shipping", "pickup"])
        f.carrier = try p.string("carrier", maxLength: 64)
        f.discountCode = try p.string("discount_code", maxLength: 64)
        if let nums = try p.array("orders", maxCount: 10_000) {
            f.numbers = try nums.enumerated().map { k, v throws(OrderError) in
                guard let i = v.intValue, i > 0 else { throw OrderError.invalid("orders[\(k)]", "expected an order number") }
                return i
            }
        }
        return f
    }

    static func find(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let f = try filter(p, statuses: ctx.statuses, zone: ctx.settings.timeZone)
        var page = OrderPage()
        if let s = try p.choice("sort", OrderSort.allCases.map(\.rawValue)) { page.sort = OrderSort(rawValue: s)! }
        page.descending = try p.bool("desc") ?? false
        page.limit = Int(try p.int("limit", in: 1...1000) ?? 50)
        page.after = try p.string("after", maxLength: 100)
        try p.finish()
        let (orders, next) = try ctx.session.findOrders(f, page: page, now: ctx.now)
        return ["orders": .array(orders.map { $0.json(now: ctx.now) }), "next": .optional(next)]
    }

    static func count(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let f = try filter(p, statuses: ctx.statuses, zone: ctx.settings.timeZone)
        try p.finish()
        return ["count": .int(try ctx.session.countOrders(f, now: ctx.now))]
    }

    static func kind(_ p: ParamReader) throws -> DocumentKind? {
        try p.choice("kind", DocumentKind.allCases.map(\.rawValue)).flatMap(DocumentKind.init(rawValue:))
    }

    static func getInvoice(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let k = try kind(p) ?? .invoice
        let n = try p.requiredInt("number", in: 1...Int64.max)
        try p.finish()
        guard let d = try ctx.session.document(k, n) else { throw OrderError.notFound("\(k == .invoice ? "invoice" : "credit note") \(n) does not exist") }
        return d.json
    }

    static func findInvoices(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let k = try kind(p)
        let order = try p.int("order", in: 1...Int64.max)
        let from = try p.timestamp("issued_from", zone: ctx.settings.timeZone)
        let to = try p.timestamp("issued_to", zone: ctx.settings.timeZone)
        let after = try p.int("after", in: 0...Int64.max)
        let limit = try p.int("limit", in: 1...1000) ?? 100
        try p.finish()
        if after != nil && k == nil {
            throw OrderError.invalid("after", "paging runs within one number series: pass kind (invoice or credit_note) with after")
        }
        let docs = try ctx.session.findDocuments(kind: k, order: order, issuedFrom: from, issuedTo: to, after: after, limit: Int(limit) + 1)
        let page = docs.prefix(Int(limit))
        let next: JSON = docs.count > Int(limit) && k != nil ? .int(page.last!.number) : .null
        return ["documents": .array(page.map(\.json)), "next": next]
    }
}
