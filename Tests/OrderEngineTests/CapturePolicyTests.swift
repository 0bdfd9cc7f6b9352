import OrderCore
import OrderEngine
import Testing

/// Invariant 3: under `on_hand_over` (the Danish default) money is drawn only for goods that
/// left the house, plus prepayable lines; `on_ship` and `anytime` release more. Invariant 2:
/// never more than authorised.
@Suite("Capture policy")
struct CapturePolicyTests {
    @Test("the default policy is on_hand_over")
    func defaultPolicy() throws {
        let shop = try Shop()
        #expect(try shop.call("settings.get")["capture_policy"]?.stringValue == "on_hand_over")
    }

    @Test("on_hand_over: nothing before hand-over, not even with a label printed")
    func nothingBeforeHandOver() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try expectRefused(shop, .policy, "nothing may be captured", "on_hand_over") { try shop.capture(n) }
        try shop.ship(n)
        try shop.setStatus(n, "shipped")
        try expectRefused(shop, .policy, "nothing may be captured", "on_hand_over") { try shop.capture(n) }
        try expectRefused(shop, .policy, "refused by capture policy on_hand_over", "at most 0.00 DKK") {
            try shop.capture(n, amount: 100)
        }
        #expect(shop.gateway.approvedCount == 0)
    }

    @Test("on_hand_over: a partial shipment releases only its own value")
    func partialShipment() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n, [("TSHIRT", 1)])

        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == 19_900)
        #expect(c["payment_state"]?.stringValue == "partially_captured")
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        #expect(inv["lines"]?.count == 1)
        #expect(inv["lines"]?[0]?["sku"]?.stringValue == "TSHIRT")
        #expect(inv["lines"]?[0]?["qty"]?.intValue == 1)

        try expectRefused(shop, .policy, "refused by capture policy on_hand_over", "worth 199.00 DKK", "199.00 DKK already captured") {
            try shop.capture(n, amount: 100)
        }

        // The rest leaves the house: the rest may be drawn.
        try shop.shipAndHandOver(n)
        let rest = try shop.capture(n)
        #expect(rest["captured"]?.intValue == 29_800)
        #expect(rest["captured_total"]?.intValue == Shop.defaultTotal)
        #expect(rest["payment_state"]?.stringValue == "captured")
        let o = try shop.order(n)
        #expect(o["invoices"]?.count == 2)
        try expectRefused(shop, .policy, "nothing may be captured") { try shop.capture(n) }
    }

    @Test("a capture that is not the value of whole handed-over units is refused, naming what may be captured")
    func partialAmountRefused() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(lines: [Shop.line("TSHIRT", "T-shirt", qty: 2, price: 17_900), Shop.line("MUG", "Krus", qty: 1, price: 9_900)])
        try shop.shipAndHandOver(n, [("TSHIRT", 2)])
        // The case: 200.00 DKK of 2 × 179.00 DKK handed over.
        try expectRefused(shop, .policy, "capture of 200.00 DKK", "not the value of whole goods", "capture 358.00 DKK",
                          "2 × T-shirt (TSHIRT) at 179.00 DKK") { try shop.capture(n, amount: 20_000) }
        try expectRefused(shop, .policy, "not the value of whole goods") { try shop.capture(n, amount: 100) }
        let first = try shop.capture(n, amount: 17_900)
        #expect(first["invoice"]?.intValue == 1)
        #expect(try shop.call("invoice.get", ["number": 1])["total"]?.intValue == 17_900)
        let second = try shop.capture(n)
        #expect(second["captured"]?.intValue == 17_900)
        #expect(second["invoice"]?.intValue == 2)
        // Voiding the rest leaves no money without an invoice.
        try shop.call("payment.void", ["order": .int(n)])
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == 35_800)
        #expect(o["uninvoiced_captured"]?.intValue == 0)
    }

    @Test("prepayable lines (made to order) may be captured at once; other lines wait")
    func prepayable() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(lines: [
            Shop.line("ENGRAVED", "Indgraveret ring", qty: 1, price: 50_000, prepayable: true),
            Shop.line("MUG", "Krus", qty: 1, price: 9_900),
        ])
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == 50_000)
        let inv = try shop.call("invoice.get", ["number": 1])
        #expect(inv["lines"]?.count == 1)
        #expect(inv["lines"]?[0]?["sku"]?.stringValue == "ENGRAVED")
        try expectRefused(shop, .policy, "prepayable lines are worth 500.00 DKK") { try shop.capture(n, amount: 9_900) }
        try shop.shipAndHandOver(n, [("MUG", 1)])
        #expect(try shop.capture(n)["captured"]?.intValue == 9_900)
    }

    @Test("on_ship: a created shipment releases its value before hand-over")
    func onShip() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "on_ship"])
        let n = try shop.paidOrder()
        try expectRefused(shop, .policy, "on_ship") { try shop.capture(n) }
        try shop.ship(n, [("MUG", 1)])
        #expect(try shop.capture(n)["captured"]?.intValue == 9_900)
        try expectRefused(shop, .policy, "refused by capture policy on_ship", "goods in shipments") { try shop.capture(n, amount: 1) }
    }

    @Test("anytime: the whole order may be drawn at checkout")
    func anytime() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Shop.defaultTotal)
        let inv = try shop.call("invoice.get", ["number": 1])
        #expect(inv["total"]?.intValue == Shop.defaultTotal)
    }

    @Test("never more than authorised and not captured, whatever the policy")
    func authorisationBound() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.createOrder()
        try shop.authorize(n, amount: 20_000)
        try expectRefused(shop, .policy, "exceeds what is authorised", "at most 200.00 DKK") { try shop.capture(n, amount: 20_001) }
        // The most whole units the authorisation holds: one T-shirt.
        #expect(try shop.capture(n)["captured"]?.intValue == 19_900)
        try expectRefused(shop, .policy, "nothing may be captured") { try shop.capture(n) }
        try expectRefused(shop, .policy, "exceeds what is authorised") { try shop.capture(n, amount: 101) }
        #expect(try shop.order(n)["payment_state"]?.stringValue == "partially_captured")
    }

    @Test("a voided authorisation releases nothing")
    func afterVoid() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try shop.call("payment.void", ["order": .int(n)])
        try expectRefused(shop, .policy, "nothing may be captured") { try shop.capture(n) }
    }

    @Test("changing the policy takes effect for the next command")
    func policyChange() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try expectRefused(shop, .policy) { try shop.capture(n) }
        try shop.settings(["capture_policy": "anytime"])
        #expect(try shop.capture(n)["captured"]?.intValue == Shop.defaultTotal)
    }
}
