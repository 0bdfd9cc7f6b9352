import OrderCore
import OrderEngine
import Testing

/// Returns: return.create / receive / refund / get / find / check, their numbering, the
/// shipping fee on a whole withdrawal, the money invariant, and every refusal storing nothing.
@Suite struct ReturnsTests {
    /// An order of 2 T-shirts and a mug with 49 kr. freight, shipped, handed over and captured (invoiced).
    func deliveredOrder(_ shop: Shop, notify: Bool = true, fees: JSON = [["kind": "shipping", "name": "Fragt", "amount": 4_900]]) throws -> Int64 {
        var p = Shop.orderParams(notify: notify).objectValue!
        p["fees"] = fees
        let n = try #require(shop.call("order.create", .object(p))["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        return n
    }

    func lines(_ l: [(String, Int64)]) -> JSON { .array(l.map { ["sku": .string($0.0), "qty": .int($0.1)] }) }

    func invariant(_ shop: Shop, _ n: Int64) throws {
        let o = try shop.order(n)
        let docs = try #require(shop.call("invoice.find", ["order": .int(n)])["documents"]?.arrayValue)
        let invoiced = docs.filter { $0["kind"]?.stringValue == "invoice" }.reduce(Int64(0)) { $0 + ($1["total"]?.intValue ?? 0) }
        let credited = docs.filter { $0["kind"]?.stringValue == "credit_note" }.reduce(Int64(0)) { $0 + ($1["total"]?.intValue ?? 0) }
        let captured = try #require(o["payments"]?["captured"]?.intValue ?? o["captured"]?.intValue)
        let refunded = try #require(o["payments"]?["refunded"]?.intValue ?? o["refunded"]?.intValue)
        #expect(captured - refunded == invoiced - credited)
    }

    /// Every invoice of order `n` obeys the per-rate credit rule (`CreditRule.violations`).
    func creditRuleHolds(_ shop: Shop, _ n: Int64) throws {
        let docs = (try shop.call("invoice.find", ["order": .int(n)])["documents"]?.arrayValue ?? []).compactMap(InvoiceDocument.init(stored:))
        for inv in docs where inv.kind == .invoice { #expect(CreditRule.violations(of: inv, documents: docs) == []) }
    }

    @Test func aReturnRefundedWithADeductionUsesUpItsUnits() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "Brugt"])
        let refund = try shop.call("return.refund", ["return": r["number"]!, "amount": 15_000])
        #expect(refund["total"]?.intValue == 15_000)
        // The credit note names the returned unit, the deduction on its line.
        let cn = try #require(refund["document"]?["lines"]?.arrayValue)
        #expect(cn.count == 1)
        #expect(cn.first?["sku"]?.stringValue == "TSHIRT")
        #expect(cn.first?["qty"]?.intValue == 1)
        #expect(cn.first?["gross"]?.intValue == 15_000)
        // That unit is credited: two more T-shirts are refused, naming the line; one is accepted.
        try expectRefused(shop, .conflict, "lines[0].qty", "1 of sku 'TSHIRT' left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": lines([("TSHIRT", 2)]), "reason": "igen"])
        }
        let one = try shop.call("credit_note.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "den anden"])
        #expect(one["total"]?.intValue == 19_900)
        try expectRefused(shop, .conflict, "lines[0].qty", "0 of sku 'TSHIRT' left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "tredje"])
        }
        try invariant(shop, n)
        try creditRuleHolds(shop, n)
    }

    @Test func aRefundAfterAGoodwillCreditTakesWhatIsLeft() throws {
        // An explicit amount that fits what is left is used.
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        _ = try shop.call("credit_note.create", ["order": .int(n), "amount": 50_000, "reason": "Goodwill"])  // 46.00 left
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "Defekt"])
        try expectRefused(shop, .policy, "amount", "46.00") { try shop.call("return.refund", ["return": r["number"]!, "amount": 4_601]) }
        let ok = try shop.call("return.refund", ["return": r["number"]!, "amount": 4_000])
        #expect(ok["total"]?.intValue == 4_000)
        try invariant(shop, n)
        try creditRuleHolds(shop, n)

        // Without an amount: what is left, capped, and the result says so.
        let shop2 = try Shop()
        let m = try deliveredOrder(shop2)
        _ = try shop2.call("credit_note.create", ["order": .int(m), "amount": 50_000, "reason": "Goodwill"])
        let r2 = try shop2.call("return.create", ["order": .int(m), "lines": lines([("MUG", 1)]), "reason": "Defekt"])
        let capped = try shop2.call("return.refund", ["return": r2["number"]!])
        #expect(capped["total"]?.intValue == 4_600)
        #expect(capped["return"]?["refunds"]?[0]?["already_credited"]?.intValue == 5_300)
        #expect(capped["note"]?["da"]?.stringValue?.contains("46,00") == true)
        #expect(capped["note"]?["en"]?.stringValue?.contains("53.00") == true)
        try invariant(shop2, m)
        try creditRuleHolds(shop2, m)

        // Same with the freight of a whole withdrawal.
        let shop3 = try Shop()
        let w = try deliveredOrder(shop3)
        _ = try shop3.call("credit_note.create", ["order": .int(w), "amount": 50_000, "reason": "Goodwill"])
        let r3 = try shop3.call("return.create", ["order": .int(w), "lines": lines([("TSHIRT", 2), ("MUG", 1)]), "reason": "Fortrudt",
                                                   "withdrawal": true])
        let all = try shop3.call("return.refund", ["return": r3["number"]!, "amount": 4_600])
        #expect(all["total"]?.intValue == 4_600)
        try invariant(shop3, w)
        try creditRuleHolds(shop3, w)
    }

    @Test func aCappedRefundOverTwoRatesKeepsEveryRateWithinItsInvoice() throws {
        let shop = try Shop()
        let n = try shop.createOrder(lines: [Shop.line("TSHIRT", "T-shirt", qty: 1, price: 19_900),
                                             Shop.line("AVIS", "Avis", qty: 1, price: 5_000, vat: 0)])
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        _ = try shop.call("credit_note.create", ["order": .int(n), "amount": 20_000, "reason": "Goodwill"])
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 1), ("AVIS", 1)]), "reason": "Retur"])
        let refund = try shop.call("return.refund", ["return": r["number"]!])
        #expect(refund["total"]?.intValue == 4_900)
        let cn = refund["document"]?["lines"]?.arrayValue ?? []
        #expect(cn.map { $0["sku"]?.stringValue } == ["TSHIRT", "AVIS"])
        #expect(cn.allSatisfy { $0["qty"]?.intValue == 1 })
        try creditRuleHolds(shop, n)
        try invariant(shop, n)
        try expectRefused(shop, .conflict, "lines[0].qty", "0 of sku 'AVIS' left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": lines([("AVIS", 1)]), "reason": "igen"])
        }
        try expectRefused(shop, .conflict, "fully credited") { try shop.call("credit_note.create", ["order": .int(n), "reason": "resten"]) }
    }

    @Test func aWholeWithdrawalRefundsEveryFeeTheConsumerPaid() throws {
        let shop = try Shop()
        try shop.settings(["standard_delivery_fee": ["DKK": 3_900]])
        let n = try deliveredOrder(shop, fees: [["kind": "shipping", "name": "Ekspresfragt", "amount": 4_900],
                                                ["kind": "payment", "name": "Kortgebyr", "amount": 500],
                                                ["kind": "handling", "name": "Ekspedition", "amount": 1_000]])
        let total = try #require(shop.order(n)["total"]?.intValue)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 2), ("MUG", 1)]), "reason": "Fortrudt",
                                                 "withdrawal": true])
        let refund = try shop.call("return.refund", ["return": r["number"]!])
        // Everything but the express delivery above the standard one (10.00 withheld).
        #expect(refund["total"]?.intValue == total - 1_000)
        let fees = Set((refund["document"]?["lines"]?.arrayValue ?? []).compactMap { $0["fee"]?.stringValue })
        #expect(fees == ["shipping", "payment", "handling"])
        #expect(refund["return"]?["freight"]?["withheld"]?.intValue == 1_000)
        try invariant(shop, n)
        try creditRuleHolds(shop, n)
    }

    @Test func theRestAfterAnAmountCreditCreditsWhatIsLeftAtEachRate() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        let total = try #require(shop.order(n)["total"]?.intValue)
        _ = try shop.call("credit_note.create", ["order": .int(n), "amount": 5_000, "reason": "Goodwill"])
        let rest = try shop.call("credit_note.create", ["order": .int(n), "reason": "Resten"])
        #expect(rest["total"]?.intValue == total - 5_000)
        try creditRuleHolds(shop, n)
        try expectRefused(shop, .conflict, "fully credited") { try shop.call("credit_note.create", ["order": .int(n), "reason": "igen"]) }
        try expectRefused(shop, .conflict, "left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "igen"])
        }
        try invariant(shop, n)
    }

    @Test func withdrawalOfTheWholeOrderRefundsGoodsAndFreight() throws {
        let shop = try Shop()
        try shop.settings(["return_number_start": 500, "return_number_prefix": "RET-"])
        let n = try deliveredOrder(shop)
        let total = try #require(shop.order(n)["total"]?.intValue)
        #expect(total == Shop.defaultTotal + 4_900)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 2), ("MUG", 1)]),
                                                 "reason": "Fortrudt", "withdrawal": true])
        #expect(r["number"]?.intValue == 500)
        #expect(r["reference"]?.stringValue == "RET-500")
        #expect(r["state"]?.stringValue == "created")
        #expect(r["deadline"]?.stringValue == Timestamp(seconds: Shop.start.seconds + 14 * 86_400).iso8601)
        #expect(try shop.outbox(order: n).contains { $0["subject"]?.stringValue?.contains("Din returnering RET-500") == true })

        try shop.setStatus(n, "shipped")  // returned follows shipped, delivered or picked_up in the status graph
        let got = try shop.call("return.receive", ["return": 500])
        #expect(got["state"]?.stringValue == "received")
        #expect(got["order_status"]?.stringValue == "returned")

        let refund = try shop.call("return.refund", ["return": 500])
        #expect(refund["total"]?.intValue == total)  // goods and the freight
        #expect(refund["return"]?["state"]?.stringValue == "refunded")
        let cn = try #require(refund["document"])
        #expect(cn["lines"]?.arrayValue?.contains { $0["fee"]?.stringValue == "shipping" } == true)
        let stored = try shop.call("return.get", ["return": 500])
        #expect(stored["state"]?.stringValue == "refunded")
        #expect(stored["refunded"]?.intValue == total)
        #expect(stored["credit_note"]?.intValue == refund["credit_note"]?.intValue)
        try invariant(shop, n)
        let events = try shop.timeline(n)
        #expect(events.named("return.created").count == 1)
        #expect(events.named("return.received").count == 1)
        #expect(events.named("return.refunded").count == 1)
        #expect(try shop.outbox(order: n).contains { $0["subject"]?.stringValue?.contains("Pengene for returnering RET-500") == true })

        // Refunding twice is refused and stores nothing.
        try expectRefused(shop, .policy, "RET-500", "refunded already") { try shop.call("return.refund", ["return": 500]) }
        // The series is gapless: the next return is 501.
        try expectRefused(shop, .policy, "lines[0].qty", "at most 0") {
            try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "igen"])
        }
        #expect(try shop.call("settings.get")["number_series"]?["return"]?["next"]?.intValue == 501)
    }

    @Test func aPartialReturnCreditsOnlyItsLinesAndMayBeRefundedLess() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "For lille"])
        let number = try #require(r["number"]?.intValue)
        #expect(r["deadline"] == .null)
        try expectRefused(shop, .policy, "amount", "covers 199.00") {
            try shop.call("return.refund", ["return": .int(number), "amount": 19_901])
        }
        let refund = try shop.call("return.refund", ["return": .int(number), "amount": 15_000])
        #expect(refund["total"]?.intValue == 15_000)
        #expect(refund["refunded"]?.intValue == 15_000)
        try invariant(shop, n)
        // The order is not returned: not every unit came back.
        #expect(try shop.order(n)["status"]?.stringValue != "returned")
        // Earlier returns count: one T-shirt is left to return, not two.
        let e = try expectRefused(shop, .policy, "lines[0].qty", "1 returned already", "at most 1") {
            try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 2)]), "reason": "x"])
        }
        #expect(e?.field == "lines[0].qty")
    }

    @Test func aDeclinedRefundLeavesTheReturnToRefundAgain() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "Defekt"])
        try shop.call("return.receive", ["return": r["number"]!])
        try shop.simulate(n, "refund", "decline")
        expectError(.port, "refund") { try shop.call("return.refund", ["return": r["number"]!]) }
        let after = try shop.call("return.get", ["return": r["number"]!])
        // Open and documented: refund_failed (nothing went back), listed by return.check.
        #expect(after["state"]?.stringValue == "refund_failed")
        #expect(after["refunded"]?.intValue == 0)
        #expect(after["received_at"] != .null)
        #expect(after["credit_note"] == .null)
        #expect(try shop.call("return.check", ["days": 0])["returns"]?.arrayValue?.map { $0["number"] } == [r["number"]!])
        #expect(try shop.timeline(n).named("return.refund_failed").count == 1)
        try shop.simulate(n, "refund", "approve")
        let ok = try shop.call("return.refund", ["return": r["number"]!])
        #expect(ok["total"]?.intValue == 9_900)
        #expect(try shop.call("return.get", ["return": r["number"]!])["state"]?.stringValue == "refunded")
        try invariant(shop, n)
    }

    @Test func hooksSeeTheReturnEvents() throws {
        let hooks = TestHooks()
        let shop = try Shop()
        shop.engine.setHooks(hooks)
        let n = try deliveredOrder(shop)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "Defekt"])
        try shop.call("return.receive", ["return": r["number"]!])
        try shop.call("return.refund", ["return": r["number"]!])
        let names = hooks.events.map(\.name).filter { $0.hasPrefix("return.") }
        #expect(names == ["return.created", "return.received", "return.refunded"])
    }

    @Test func badInputIsRefusedNamingTheFieldAndStoresNothing() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        try expectRefused(shop, .invalid, "lines[0].sku", "HAT") {
            try shop.call("return.create", ["order": .int(n), "lines": lines([("HAT", 1)]), "reason": "x"])
        }
        try expectRefused(shop, .invalid, "lines") { try shop.call("return.create", ["order": .int(n), "reason": "x"]) }
        try expectRefused(shop, .invalid, "reason") {
            try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)])])
        }
        try expectRefused(shop, .notFound, "return 99") { try shop.call("return.refund", ["return": 99]) }
        try expectRefused(shop, .notFound, "return 99") { try shop.call("return.receive", ["return": 99]) }
        try expectRefused(shop, .notFound, "return 99") { try shop.call("return.get", ["return": 99]) }
        // Goods not yet handed over cannot be returned.
        let m = try shop.paidOrder()
        try shop.ship(m)
        try expectRefused(shop, .policy, "lines[0].qty", "0 of sku 'MUG' delivered") {
            try shop.call("return.create", ["order": .int(m), "lines": lines([("MUG", 1)]), "reason": "x"])
        }
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "x"])
        try shop.call("return.receive", ["return": r["number"]!])
        try expectRefused(shop, .policy, "received already") { try shop.call("return.receive", ["return": r["number"]!]) }
    }

    @Test func checkListsWithdrawalsDueOrOverdueUntilRefunded() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        let w = try #require(shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "Fortrudt",
                                                           "withdrawal": true])["number"]?.intValue)
        _ = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "Defekt"])
        #expect(try shop.call("return.check", ["days": 3])["count"]?.intValue == 0)
        shop.clock.advance(days: 12)
        let due = try shop.call("return.check", ["days": 3])
        #expect(due["returns"]?.arrayValue?.map { $0["number"]?.intValue } == [w])
        #expect(due["returns"]?[0]?["days_left"]?.intValue == 2)
        #expect(due["returns"]?[0]?["goods_received"] == false)
        #expect(due["note"]?["da"]?.stringValue?.contains("§ 22") == true)
        #expect(due["note"]?["en"]?.stringValue?.contains("proof") == true)
        shop.clock.advance(days: 3)
        #expect(try shop.call("return.check", ["days": 0])["returns"]?[0]?["overdue"] == true)
        try shop.call("return.refund", ["return": .int(w)])
        #expect(try shop.call("return.check", ["days": 30])["count"]?.intValue == 0)
    }

    @Test func findFiltersAndPagesByNumber() throws {
        let shop = try Shop()
        let n = try deliveredOrder(shop)
        for _ in 0..<2 { _ = try shop.call("return.create", ["order": .int(n), "lines": lines([("TSHIRT", 1)]), "reason": "x"]) }
        _ = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "x", "withdrawal": true])
        let first = try shop.call("return.find", ["order": .int(n), "limit": 2])
        #expect(first["returns"]?.arrayValue?.map { $0["number"]?.intValue } == [1, 2])
        let second = try shop.call("return.find", ["order": .int(n), "limit": 2, "after": first["next"]!])
        #expect(second["returns"]?.arrayValue?.map { $0["number"]?.intValue } == [3])
        #expect(second["next"] == .null)
        #expect(try shop.call("return.find", ["withdrawal": true])["returns"]?.count == 1)
        try expectRefused(shop, .invalid, "state") { try shop.call("return.find", ["state": "lost"]) }
    }
}
