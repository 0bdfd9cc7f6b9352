import OrderCore
import OrderEngine
import Testing

/// SplitMix64, for reproducible random sequences.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The money invariant and the per-rate credit rule through the engine: random orders (lines at
/// several VAT rates, one or two authorisations) through random sequences of shipments,
/// hand-overs, captures, line and amount credits, voids, edits (`order.edit`), returns (`return.create`,
/// `return.receive`, `return.refund`, in full or for less), on-account captures (`capture.on_account`)
/// with the final invoices that deduct them, `invoice.create`, and gateway refusals; after **every**
/// command, captured − refunded = invoiced − credited on the order, and no invoice is credited
/// beyond what it charged at any rate (gross, net, VAT).
@Suite("Money invariant: property test")
struct MoneyInvariantPropertyTests {
    static let orders = 150
    static let stepsPerOrder = 14

    static func documents(_ shop: Shop, _ n: Int64) throws -> [InvoiceDocument] {
        let found = try #require(shop.call("invoice.find", ["order": .int(n), "limit": 1000])["documents"]?.arrayValue)
        return try found.map { d in
            let kind = d["kind"]?.stringValue ?? "invoice"
            let full = try shop.call("invoice.get", ["kind": .string(kind), "number": d["number"] ?? 0])
            return try #require(InvoiceDocument(stored: full))
        }
    }

    static func check(_ shop: Shop, _ n: Int64, after step: String) throws -> [String] {
        var problems: [String] = []
        let o = try shop.order(n)
        let docs = try documents(shop, n)
        let invoiced = docs.filter { $0.kind == .invoice }.reduce(0) { $0 + $1.total }
        let credited = docs.filter { $0.kind == .credit_note }.reduce(0) { $0 + $1.total }
        let captured = o["captured"]?.intValue ?? 0, refunded = o["refunded"]?.intValue ?? 0
        if captured - refunded != invoiced - credited {
            problems.append("order \(n) after \(step): captured \(captured) − refunded \(refunded) ≠ invoiced \(invoiced) − credited \(credited)")
        }
        if o["money_difference"]?.intValue != 0 { problems.append("order \(n) after \(step): money_difference \(o["money_difference"] ?? .null)") }
        for inv in docs where inv.kind == .invoice {
            for v in CreditRule.violations(of: inv, documents: docs) { problems.append("order \(n) after \(step): \(v)") }
        }
        problems += perRateProblems(docs, order: n, after: step)
        // Discounts never make a line negative, on the order or on any document.
        for l in o["lines"]?.arrayValue ?? [] where (l["total"]?.intValue ?? 0) < 0 || (l["discount"]?.intValue ?? 0) < 0 {
            problems.append("order \(n) after \(step): negative line \(l)")
        }
        for d in docs { for l in d.lines where l.gross < 0 || l.discount < 0 { problems.append("order \(n) after \(step): negative document line \(l.sku)") } }
        return problems
    }

    /// Per VAT rate over the whole order (on-account invoices, their deductions and credits
    /// included): credited gross, net and VAT never exceed what the invoices charged.
    static func perRateProblems(_ docs: [InvoiceDocument], order n: Int64, after step: String) -> [String] {
        var invoiced: [Int64: (g: Int64, v: Int64)] = [:], credited: [Int64: (g: Int64, v: Int64)] = [:]
        for d in docs {
            for r in d.breakdown.rows {
                if d.kind == .invoice {
                    invoiced[r.rate] = ((invoiced[r.rate]?.g ?? 0) + r.gross, (invoiced[r.rate]?.v ?? 0) + r.vat)
                } else {
                    credited[r.rate] = ((credited[r.rate]?.g ?? 0) + r.gross, (credited[r.rate]?.v ?? 0) + r.vat)
                }
            }
        }
        var out: [String] = []
        for (rate, c) in credited {
            let i = invoiced[rate] ?? (0, 0)
            if c.g > i.g || c.v > i.v || c.g - c.v > i.g - i.v {
                out.append("order \(n) after \(step): at rate \(rate) credited \(c) > invoiced \(i)")
            }
        }
        for (rate, i) in invoiced where i.g < 0 || i.v < 0 { out.append("order \(n) after \(step): negative invoiced \(i) at rate \(rate)") }
        return out
    }

    @Test("after every command of random order lifecycles the invariant holds")
    func randomLifecycles() throws {
        var rng = SplitMix64(seed: 1313)
        let shop = try Shop()
        try shop.settings(["seller": ["name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]])
        var problems: [String] = []
        var commands = 0
        var done: [String: Int] = [:]
        let rates: [Int64] = [0, 500, 1250, 2500]
        for _ in 0..<Self.orders {
            let lines: [JSON] = (0..<Int.random(in: 1...4, using: &rng)).map { k in
                Shop.line("S\(k)", "Vare \(k)", qty: Int64.random(in: 1...4, using: &rng),
                          price: [3, 99, 1_999, 17_900, 45_000].randomElement(using: &rng)!, vat: rates.randomElement(using: &rng)!)
            }
            // Issue 14: a third of the orders carry a shipping fee (VAT split over the goods'
            // rates, or its own rate) and a third a discount (amount or percent).
            guard case .object(var params) = Shop.orderParams(lines: lines) else { return }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                var fee: JSONObject = ["kind": "shipping", "name": "Fragt", "amount": .int([0, 1, 3_900, 4_900].randomElement(using: &rng)!)]
                if Bool.random(using: &rng) { fee["vat_rate"] = 2500 }
                params["fees"] = [.object(fee)]
            }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let value = lines.reduce(Int64(0)) { $0 + ($1["qty"]?.intValue ?? 0) * ($1["unit_price"]?.intValue ?? 0) }
                params["discounts"] = Bool.random(using: &rng) || value < 2
                    ? [["code": "RABAT", "name": "Rabat", "percent": .int(Int64.random(in: 1...10_000, using: &rng))]]
                    : [["name": "Rabat", "amount": .int(Int64.random(in: 1...(value - 1), using: &rng))]]
            }
            let n = try #require(shop.call("order.create", .object(params))["order"]?.intValue)
            let total = try #require(shop.order(n)["total"]?.intValue)
            if Bool.random(using: &rng) && total > 1 {
                let first = Int64.random(in: 1..<total, using: &rng)
                try shop.call("payment.authorize", ["order": .int(n), "amount": .int(first), "method": "giftcard", "reference": .string("gc-\(n)")])
                try shop.call("payment.authorize", ["order": .int(n), "amount": .int(total - first), "method": "mobilepay", "reference": .string("mp-\(n)")])
            } else {
                try shop.authorize(n)
            }
            for step in 0..<Self.stepsPerOrder {
                let o = try shop.order(n)
                let action = [0, 0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10, 10, 11][Int.random(in: 0..<18, using: &rng)]
                var name = "step \(step)"
                do {
                    switch action {
                    case 0, 1:
                        // Ship some of what is left, and hand it over.
                        var shipped: [String: Int64] = [:]
                        for s in o["shipments"]?.arrayValue ?? [] {
                            for l in s["lines"]?.arrayValue ?? [] { shipped[l["sku"]?.stringValue ?? "", default: 0] += l["qty"]?.intValue ?? 0 }
                        }
                        var open: [(String, Int64)] = []
                        for l in o["lines"]?.arrayValue ?? [] where l["fee"] == nil {
                            let sku = l["sku"]?.stringValue ?? ""
                            let left = (l["qty"]?.intValue ?? 0) - (shipped[sku] ?? 0)
                            if left > 0 { open.append((sku, Int64.random(in: 1...left, using: &rng))) }
                        }
                        guard let pick = open.randomElement(using: &rng) else { continue }
                        name = "ship \(pick)"
                        try shop.shipAndHandOver(n, [pick])
                    case 2, 3:
                        name = "capture"
                        if Int.random(in: 0..<4, using: &rng) == 0 { try shop.simulate(n, "capture", "decline") }
                        defer { try? shop.simulate(n, "capture", "approve") }
                        if Int.random(in: 0..<4, using: &rng) == 0 {
                            let amount = Int64.random(in: 1...max(1, total), using: &rng)
                            name = "capture \(amount)"
                            try shop.capture(n, amount: amount)
                        } else {
                            try shop.capture(n)
                        }
                    case 4, 5:
                        // A credit: by lines or by amount, against a random invoice.
                        let invoices = (o["invoices"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == "invoice" }
                        guard let inv = invoices.randomElement(using: &rng) else { continue }
                        var p: JSONObject = ["order": .int(n), "invoice": inv["number"] ?? 0, "reason": "retur"]
                        if Bool.random(using: &rng) {
                            let full = try shop.call("invoice.get", ["number": inv["number"] ?? 0])
                            guard let l = full["lines"]?.arrayValue?.randomElement(using: &rng) else { continue }
                            p["lines"] = [["sku": l["sku"] ?? "", "qty": .int(Int64.random(in: 1...(l["qty"]?.intValue ?? 1), using: &rng))]]
                        } else {
                            p["amount"] = .int([1, 2, 3, 150, 5_000].randomElement(using: &rng)!)
                        }
                        if Int.random(in: 0..<5, using: &rng) == 0 { try shop.simulate(n, "refund", "decline") }
                        defer { try? shop.simulate(n, "refund", "approve") }
                        name = "credit \(p)"
                        try shop.call("credit_note.create", .object(p))
                    case 8:
                        // Issue 14: an edit of a random goods line (refused once it shipped).
                        let goods = (o["lines"]?.arrayValue ?? []).filter { $0["fee"] == nil }
                        guard let l = goods.randomElement(using: &rng) else { continue }
                        let p: JSON = ["order": .int(n), "set_qty": [["sku": l["sku"] ?? "", "qty": .int(Int64.random(in: 1...5, using: &rng))]],
                                       "reason": "Kunden ringede"]
                        name = "edit: \(p)"
                        try shop.call("order.edit", p)
                    case 9:
                        // Issue 14: a return of some delivered units, perhaps received, refunded in full or for less.
                        var shipped: [String: Int64] = [:]
                        for s in o["shipments"]?.arrayValue ?? [] where s["state"]?.stringValue != "created" {
                            for l in s["lines"]?.arrayValue ?? [] { shipped[l["sku"]?.stringValue ?? "", default: 0] += l["qty"]?.intValue ?? 0 }
                        }
                        guard let (sku, q) = shipped.sorted(by: { $0.key < $1.key }).randomElement(using: &rng) else { continue }
                        let r = try shop.call("return.create", ["order": .int(n), "lines": [["sku": .string(sku), "qty": .int(Int64.random(in: 1...q, using: &rng))]],
                                                                 "reason": "Fortrudt", "withdrawal": .bool(Bool.random(using: &rng))])
                        name = "return \(r["lines"] ?? .null)"
                        if Bool.random(using: &rng) { try shop.call("return.receive", ["return": r["number"] ?? 0]) }
                        var p: JSONObject = ["return": r["number"] ?? 0]
                        if Bool.random(using: &rng) { p["amount"] = .int([1, 150, 5_000].randomElement(using: &rng)!) }
                        if Int.random(in: 0..<5, using: &rng) == 0 { try shop.simulate(n, "refund", "decline") }
                        defer { try? shop.simulate(n, "refund", "approve") }
                        try shop.call("return.refund", .object(p))
                    case 10:
                        // Issue 13: an on-account capture (a deposit, any amount) under
                        // capture.on_account, sometimes under capture_policy anytime.
                        let anytime = Bool.random(using: &rng)
                        try shop.settings(["capture": ["on_account": true], "capture_policy": anytime ? "anytime" : "on_hand_over"])
                        defer { _ = try? shop.settings(["capture": ["on_account": false], "capture_policy": "on_hand_over"]) }
                        if Int.random(in: 0..<5, using: &rng) == 0 { try shop.simulate(n, "capture", "decline") }
                        defer { try? shop.simulate(n, "capture", "approve") }
                        let amount = Int64.random(in: 1...max(1, total / 2), using: &rng)
                        name = "aconto \(amount)\(anytime ? " anytime" : "")"
                        try shop.capture(n, amount: amount)
                    case 11:
                        // A manual invoice of whatever captured or on-account money covers.
                        name = "invoice.create"
                        try shop.call("invoice.create", ["order": .int(n)])
                    case 6:
                        name = "void"
                        try shop.call("payment.void", ["order": .int(n)])
                    default:
                        name = "time passes"
                        shop.clock.advance(seconds: Int64.random(in: 60...86_400, using: &rng))
                    }
                    done[String(name.prefix(6)), default: 0] += 1
                } catch let e as OrderError where [.policy, .conflict, .port, .invalid].contains(e.code) {
                    // Refusals are part of the test; they must not break the invariant either.
                }
                commands += 1
                problems += try Self.check(shop, n, after: name)
            }
        }
        print("money invariant property test: \(Self.orders) orders × \(Self.stepsPerOrder) steps = \(commands) commands checked; succeeded: \(done.sorted { $0.key < $1.key })")
        #expect((done["credit"] ?? 0) > 50 && (done["captur"] ?? 0) > 50 && (done["ship ("] ?? 0) > 50, "the sequences exercise credits, captures and shipments")
        #expect((done["edit: "] ?? 0) > 10 && (done["return"] ?? 0) > 10, "the sequences exercise edits and returns")
        #expect((done["aconto"] ?? 0) > 30, "the sequences exercise on-account invoices")
        #expect(problems.isEmpty, "\(problems.count) problems, e.g. \(problems.prefix(4))")
    }
}
