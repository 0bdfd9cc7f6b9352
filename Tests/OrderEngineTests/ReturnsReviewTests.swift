import OrderCore
import OrderEngine
import Testing

/// The review of returns (issue 14): a return over two invoices, a refund part declined and
/// retried, no withdrawal for a business, return.find's filters, the freight capped at the
/// cheapest standard delivery, and the credit note's printed labels.
@Suite("Returns (review findings)")
struct ReturnsReviewTests {
    /// Two T-shirts and a mug with 49 kr. freight, paid 200.00 by gift card (gc-77) and the rest
    /// by MobilePay (mp-42), delivered in two shipments and captured twice: invoice 1 has the
    /// T-shirts and the freight (447.00), invoice 2 the mug (99.00).
    static func twoInvoiceOrder(_ shop: Shop) throws -> Int64 {
        var p = Shop.orderParams().objectValue!
        p["fees"] = [["kind": "shipping", "name": "Fragt", "amount": 4_900]]
        let n = try #require(shop.call("order.create", .object(p))["order"]?.intValue)
        try shop.call("payment.authorize", ["order": .int(n), "amount": 20_000, "method": "giftcard", "reference": "gc-77"])
        try shop.call("payment.authorize", ["order": .int(n), "amount": 34_600, "method": "mobilepay", "reference": "mp-42"])
        try shop.shipAndHandOver(n, [("TSHIRT", 2)])
        try shop.capture(n)
        try shop.shipAndHandOver(n, [("MUG", 1)])
        try shop.capture(n)
        let invoices = try #require(shop.order(n)["invoices"]?.arrayValue)
        #expect(invoices.map { $0["total"]?.intValue } == [44_700, 9_900])
        return n
    }

    /// The default order with a 49 kr. shipping fee named `fee`, delivered and captured (one invoice).
    static func deliveredWithFreight(_ shop: Shop, _ fee: String) throws -> Int64 {
        var p = Shop.orderParams().objectValue!
        p["fees"] = [["kind": "shipping", "name": .string(fee), "amount": 4_900]]
        let n = try #require(shop.call("order.create", .object(p))["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        return n
    }

    static func withdrawAll(_ shop: Shop, _ n: Int64) throws -> Int64 {
        try #require(shop.call("return.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2], ["sku": "MUG", "qty": 1]],
                                                 "reason": "Fortrudt", "withdrawal": true])["number"]?.intValue)
    }

    static func expectInvariant(_ shop: Shop, _ n: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try shop.order(n)["money_difference"]?.intValue == 0, sourceLocation: sourceLocation)
    }

    @Test("a return invoiced on two invoices is refunded with one credit note per invoice, split per authorisation")
    func twoInvoices() throws {
        let shop = try Shop()
        let n = try Self.twoInvoiceOrder(shop)
        let r = try Self.withdrawAll(shop, n)
        let refund = try shop.call("return.refund", ["return": .int(r)])
        let notes = try #require(refund["credit_notes"]?.arrayValue)
        #expect(notes.map { $0["credits_invoice"]?.intValue } == [1, 2])
        #expect(notes.map { $0["total"]?.intValue } == [44_700, 9_900])
        #expect(refund["credited"]?.intValue == 54_600)
        let got = try shop.call("return.get", ["return": .int(r)])
        #expect(got["state"]?.stringValue == "refunded")
        #expect(got["refunded"]?.intValue == 54_600)
        #expect(got["credit_notes"]?.count == 2)
        #expect(got["refunds"]?.arrayValue?.map { $0["state"]?.stringValue } == ["refunded", "refunded"])
        // Each authorisation paid back what it captured, one request per part.
        let refunds = shop.gateway.approvedRequests(order: n).filter { $0.operation == .refund }
        #expect(refunds.filter { $0.authorizationReference == "gc-77" }.reduce(0) { $0 + $1.amount } == 20_000)
        #expect(refunds.filter { $0.authorizationReference == "mp-42" }.reduce(0) { $0 + $1.amount } == 34_600)
        #expect(Set(refunds.map(\.idempotencyKey)).count == refunds.count)
        try Self.expectInvariant(shop, n)
        #expect(try shop.timeline(n).named("return.refunded").count == 1)
    }

    @Test("a declined part leaves the return refund_failed with what went back, listed by return.check; the retry sends only the rest")
    func partDeclinedAndRetried() throws {
        let sim = SimulatedGateway()
        let gate = PartGateway(sim)
        let shop = try Shop(gateway: sim, port: gate)
        let n = try Self.twoInvoiceOrder(shop)
        let r = try Self.withdrawAll(shop, n)
        gate.declineReference = "mp-42"
        expectError(.port, "declined") { try shop.call("return.refund", ["return": .int(r)]) }
        var got = try shop.call("return.get", ["return": .int(r)])
        #expect(got["state"]?.stringValue == "refund_failed")
        #expect(got["refunded"]?.intValue == 20_000)  // the gift card part went through
        #expect(got["left_to_refund"]?.intValue == 34_600)
        #expect(got["credit_notes"]?.count == 1)
        try Self.expectInvariant(shop, n)
        // Listed although its deadline is 14 days away.
        let check = try shop.call("return.check", ["days": 0])
        #expect(check["returns"]?.arrayValue?.map { $0["number"]?.intValue } == [r])
        #expect(check["returns"]?[0]?["refund_failed"] == true)
        #expect(try shop.timeline(n).named("return.refund_failed").count == 1)
        let doneKeys = Set(sim.approvedRequests(order: n).filter { $0.operation == .refund }.map(\.idempotencyKey))
        // A retry with another amount is refused; without one, only what is left is sent.
        try expectRefused(shop, .policy, "amount", "leave amount out") {
            try shop.call("return.refund", ["return": .int(r), "amount": 100])
        }
        gate.declineReference = nil
        let retry = try shop.call("return.refund", ["return": .int(r)])
        #expect(retry["return"]?["state"]?.stringValue == "refunded")
        got = try shop.call("return.get", ["return": .int(r)])
        #expect(got["refunded"]?.intValue == 54_600)
        #expect(got["left_to_refund"]?.intValue == 0)
        let refunds = sim.approvedRequests(order: n).filter { $0.operation == .refund }
        #expect(refunds.reduce(0) { $0 + $1.amount } == 54_600)  // nothing twice
        #expect(refunds.filter { $0.authorizationReference == "gc-77" }.count == 1)
        #expect(doneKeys.isSubset(of: Set(refunds.map(\.idempotencyKey))))
        #expect(Set(refunds.map(\.idempotencyKey)).count == refunds.count)
        // The kept keys stay on the return: the first attempt's keys come first in each part.
        let keys = try #require(got["refunds"]?.arrayValue).flatMap { $0["idempotency_keys"]?.arrayValue ?? [] }
        #expect(keys.count == 4)  // two parts, two attempts each
        try Self.expectInvariant(shop, n)
        #expect(try shop.call("return.check", ["days": 0])["count"]?.intValue == 0)
        try expectRefused(shop, .policy, "refunded already") { try shop.call("return.refund", ["return": .int(r)]) }
    }

    @Test("a business customer has no right of withdrawal: refused naming the field; an ordinary return is possible")
    func noWithdrawalForBusinesses() throws {
        for extra in [["company": "Kaffe ApS"], ["vat_number": "DK13585628"]] as [JSONObject] {
            let shop = try Shop()
            var c = Shop.customer().objectValue!
            for m in extra { c[m.key] = m.value }
            let n = try shop.createOrder(customer: .object(c))
            try shop.authorize(n)
            try shop.shipAndHandOver(n)
            try shop.capture(n)
            let e = try expectRefused(shop, .policy, "business", "no statutory right of withdrawal") {
                try shop.call("return.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "x", "withdrawal": true])
            }
            #expect(e?.field == "withdrawal")
            let r = try shop.call("return.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "Defekt"])
            #expect(r["withdrawal"] == false)
            #expect(r["deadline"] == .null)
        }
    }

    @Test("return.find refuses empty and ill-typed filters naming the field")
    func findFilters() throws {
        let shop = try Shop()
        for (params, field) in [(["state": []], "state"), (["state": [1]], "state[0]"), (["state": ""], "state"),
                                (["withdrawal": "yes"], "withdrawal"), (["order": "1"], "order"),
                                (["created_from": "2026-12-01", "created_to": "2026-11-01"], "created_to"),
                                (["created_from": "soon"], "created_from"), (["limit": 0], "limit")] as [(JSON, String)] {
            let e = try expectRefused(shop, .invalid) { try shop.call("return.find", params) }
            #expect(e?.field == field, "\(params)")
        }
    }

    @Test("the freight of a whole withdrawal is credited up to the cheapest standard delivery; the result says what was withheld")
    func freightCappedAtStandardDelivery() throws {
        let shop = try Shop()
        try shop.settings(["standard_delivery_fee": ["DKK": 3_900]])
        #expect(try shop.call("settings.get")["standard_delivery_fee"]?["DKK"]?.intValue == 3_900)
        let n = try Self.deliveredWithFreight(shop, "Ekspreslevering")
        let r = try Self.withdrawAll(shop, n)
        let refund = try shop.call("return.refund", ["return": .int(r)])
        #expect(refund["total"]?.intValue == Shop.defaultTotal + 3_900)
        #expect(refund["return"]?["freight"]?["withheld"]?.intValue == 1_000)
        #expect(refund["return"]?["freight"]?["charged"]?.intValue == 4_900)
        #expect(refund["return"]?["freight"]?["standard_delivery_fee"]?.intValue == 3_900)
        let doc = try #require(refund["document"])
        #expect(doc["reason"]?.stringValue?.contains("10,00 kr. tilbageholdt") == true)
        let fee = try #require(doc["lines"]?.arrayValue?.first { $0["kind"]?.stringValue == "fee" })
        #expect(fee["gross"]?.intValue == 3_900)
        #expect(fee["name"]?.stringValue?.contains("billigste standardlevering") == true)
        try Self.expectInvariant(shop, n)
        #expect(try shop.outbox(order: n).contains { $0["body"]?.stringValue?.contains("10,00 kr. er tilbageholdt") == true })
        // Bad settings are refused naming the field; null turns the cap off again.
        try expectRefused(shop, .invalid, "ISO 4217") { try shop.settings(["standard_delivery_fee": ["KRONER": 100]]) }
        try expectRefused(shop, .invalid) { try shop.settings(["standard_delivery_fee": ["DKK": -1]]) }
        try expectRefused(shop, .invalid) { try shop.settings(["standard_delivery_fee": 3_900]) }
        try shop.settings(["standard_delivery_fee": .null])
        #expect(try shop.call("settings.get")["standard_delivery_fee"] == [:])
    }

    @Test("without the setting the full freight is credited, and nothing is said to be withheld")
    func freightInFullWithoutSetting() throws {
        let shop = try Shop()
        let n = try Self.deliveredWithFreight(shop, "Fragt")
        let refund = try shop.call("return.refund", ["return": .int(try Self.withdrawAll(shop, n))])
        #expect(refund["total"]?.intValue == Shop.defaultTotal + 4_900)
        #expect(refund["return"]?["freight"]?["withheld"]?.intValue == 0)
        #expect(refund["return"]?["freight"]?["standard_delivery_fee"] == .null)
    }

    @Test("a credit note prints its own date as Kreditnotadato / Credit note date and names its invoice's number and date")
    func creditNoteLabels() throws {
        let (shop, _) = try DocumentRenderTests.invoicedShop()
        let da = String(decoding: try DocumentRenderTests.decoded(try shop.call("invoice.render", ["number": "K-9001", "format": "html"])), as: UTF8.self)
        for s in ["Kreditnota", "Kreditnotanr.", "Kreditnotadato", "Vedrører faktura nr.", "F-5001", "Den krediterede fakturas dato",
                  "23.11.2026", "Tilbagebetalt", "Årsag"] {
            #expect(da.contains(s), "\(s)")
        }
        for s in ["Fakturadato", "Fakturanr.", "Til betaling", "Forenklet faktura"] { #expect(!da.contains(s), "\(s)") }
        let en = String(decoding: try DocumentRenderTests.decoded(try shop.call("invoice.render", ["number": "K-9001", "format": "html", "language": "en"])), as: UTF8.self)
        for s in ["Credit note", "Credit note no.", "Credit note date", "Credits invoice no.", "F-5001", "Date of the credited invoice",
                  "23 November 2026", "Refunded", "Reason"] {
            #expect(en.contains(s), "\(s)")
        }
        for s in ["Invoice date", "Invoice no.", "Amount due", "Simplified invoice"] { #expect(!en.contains(s), "\(s)") }
        // The invoice keeps its own labels.
        let inv = String(decoding: try DocumentRenderTests.decoded(try shop.call("invoice.render", ["number": "F-5001", "format": "html"])), as: UTF8.self)
        #expect(inv.contains("Fakturadato") && !inv.contains("Kreditnotadato"))
    }
}
