import OrderCore
import OrderEngine
import Testing

/// `order.edit` (issue 14): only unshipped lines change, totals are recomputed, the timeline
/// records the diff, the customer is told, and the authorisation is never cancelled.
@Suite("Order edits")
struct OrderEditTests {
    @Test("lower the quantity of an unshipped line: total recomputed, surplus released, authorisation kept, capture takes less, mail and timeline")
    func lowerTotal() throws {
        let shop = try Shop()
        try shop.settings(["seller": Shop.seller])
        let n = try shop.paidOrder()
        let r = try shop.call("order.edit", ["order": .int(n), "set_qty": [["sku": "TSHIRT", "qty": 1]], "reason": "Kunden ringede"])
        #expect(r["total"]?.intValue == Int64(19_900 + 9_900))
        #expect(r["authorized_surplus"]?.intValue == Int64(19_900))
        #expect(r["outbox"]?.arrayValue?.count == 1)
        #expect(try shop.outbox(order: n).contains { $0["subject"]?.stringValue?.contains("Din ordre er ændret") == true })
        let ev = try #require(try shop.timeline(n).last { $0["event"]?.stringValue == "order.edited" })
        #expect(ev["detail"]?["changes"]?.arrayValue?.first?["qty_to"]?.intValue == 1)
        // The simulator supports partial voids: the surplus is released, the authorisation stays.
        #expect(r["releasing"]?.intValue == Int64(19_900))
        #expect(try shop.order(n)["voided"]?.intValue == Int64(19_900))
        #expect(try shop.order(n)["payment_state"]?.stringValue == "authorized")
        try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == Int64(29_800))
    }

    @Test("a higher total leaves the difference to authorise; editing a shipped line is refused, nothing stored")
    func higherTotalAndShippedLine() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let r = try shop.call("order.edit", ["order": .int(n), "add_lines": [Shop.line("PRESS", "Presskande", qty: 1, price: 29_900)],
                                             "reason": "Tilføjet presskande"])
        #expect(r["left_to_authorize"]?.intValue == Int64(29_900))
        #expect(try shop.order(n)["payment_state"]?.stringValue == "partially_authorized")
        try shop.ship(n, [("MUG", 1)])
        try expectRefused(shop, .policy, "MUG", "already shipped") {
            _ = try shop.call("order.edit", ["order": .int(n), "set_qty": [["sku": "MUG", "qty": 3]], "reason": "x"])
        }
        try expectRefused(shop, .policy, "discounts") {
            _ = try shop.call("order.edit", ["order": .int(n), "discounts": [["name": "R", "amount": 100]], "reason": "x"])
        }
        try expectRefused(shop, .invalid, "reason") { _ = try shop.call("order.edit", ["order": .int(n), "remove_lines": ["PRESS"]]) }
    }
}
