import OrderCore
import OrderEngine
import Testing

/// Shipments: carrier labels, partial shipments, hand-over, delivery, pickup, and the derived
/// fulfilment state.
@Suite("Shipments")
struct ShipmentsTests {
    @Test("a carrier shipment books a label and carries its tracking number")
    func carrierLabel() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(delivery: ["method": "shipping", "carrier": "gls"])
        let s = try shop.call("shipment.create", ["order": .int(n)])
        #expect(s["method"]?.stringValue == "carrier")
        #expect(s["carrier"]?.stringValue == "gls")
        #expect(s["tracking"]?.stringValue == "GLS-00000011")
        #expect(s["state"]?.stringValue == "created")
        #expect(s["fulfilment_state"]?.stringValue == "shipped")
        #expect(s["lines"]?.count == 2)
        #expect(s["created_at"]?.stringValue == "2026-11-23T08:00:00Z")
        #expect(shop.carrier.bookedCount == 1)
        let o = try shop.order(n)
        #expect(o["shipments"]?[0]?["tracking"]?.stringValue == "GLS-00000011")
        #expect(o["fulfilment_state"]?.stringValue == "shipped")
    }

    @Test("a shipment with a tracking number given, or without carrier, books no label")
    func manual() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let a = try shop.call("shipment.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "carrier": "postnord",
                                                  "tracking": "PN123"])
        #expect(a["tracking"]?.stringValue == "PN123")
        #expect(a["method"]?.stringValue == "carrier")
        let b = try shop.call("shipment.create", ["order": .int(n)])
        #expect(b["method"]?.stringValue == "manual")
        #expect(b["tracking"] == nil)
        #expect(shop.carrier.bookedCount == 0)
    }

    @Test("partial shipments: partially_shipped, then shipped; nothing is shipped twice")
    func partial() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let a = try shop.call("shipment.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 1]], "carrier": "gls"])
        #expect(a["fulfilment_state"]?.stringValue == "partially_shipped")
        #expect(try shop.find(["fulfilment_state": "partially_shipped"]) == [n])

        try expectRefused(shop, .conflict, "lines[0].qty", "1 of sku 'TSHIRT' are left") {
            try shop.ship(n, [("TSHIRT", 2)])
        }
        let b = try shop.call("shipment.create", ["order": .int(n), "carrier": "gls"])
        #expect(b["fulfilment_state"]?.stringValue == "shipped")
        #expect(b["lines"] == [["sku": "TSHIRT", "qty": 1], ["sku": "MUG", "qty": 1]])
        #expect(b["tracking"]?.stringValue == "GLS-00000012")
        try expectRefused(shop, .conflict, "already in a shipment") { try shop.ship(n) }
    }

    @Test("shipment lines must name the order's SKUs, each once")
    func badLines() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try expectRefused(shop, .invalid, "lines[0].sku", "no line with sku 'SOCKS'") { try shop.ship(n, [("SOCKS", 1)]) }
        try expectRefused(shop, .invalid, "lines[1].sku", "named twice") { try shop.ship(n, [("MUG", 1), ("MUG", 1)]) }
        try expectRefused(shop, .invalid, "lines", "at least one line") { try shop.ship(n, []) }
        try expectRefused(shop, .invalid, "lines[0].qty", "out of range") { try shop.ship(n, [("MUG", 0)]) }
        #expect(shop.carrier.bookedCount == 0)
    }

    @Test("a failing carrier is a port error and stores nothing; the retry gets the label")
    func carrierFailure() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.call("gateway.simulate", ["carrier_failing": true])
        try expectRefused(shop, .port, "carrier gls could not book a label for order \(n)") { try shop.ship(n) }
        try shop.call("gateway.simulate", ["carrier_failing": false])
        let s = try shop.call("shipment.create", ["order": .int(n), "carrier": "gls"])
        #expect(s["tracking"]?.stringValue == "GLS-00000011")
        #expect(shop.carrier.bookedCount == 1)
    }

    @Test("hand over, then deliver; deliver before hand-over is refused; repeats are harmless")
    func handOverAndDeliver() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let a = try shop.ship(n, [("TSHIRT", 2)])
        let b = try shop.ship(n, [("MUG", 1)])
        try expectRefused(shop, .conflict, "has not left the house yet") { try shop.call("shipment.deliver", ["shipment": .int(a)]) }

        shop.clock.advance(hours: 3)
        let h = try shop.handOver(a)
        #expect(h["state"]?.stringValue == "handed_over")
        #expect(h["handed_over_at"]?.stringValue == "2026-11-23T11:00:00Z")
        let before = try shop.checksum()
        #expect(try shop.handOver(a) == h)
        #expect(try shop.checksum() == before)

        shop.clock.advance(days: 1)
        let d = try shop.call("shipment.deliver", ["shipment": .int(a)])
        #expect(d["state"]?.stringValue == "delivered")
        #expect(d["delivered_at"]?.stringValue == "2026-11-24T11:00:00Z")
        // One of two shipments delivered: still only shipped.
        #expect(d["fulfilment_state"]?.stringValue == "shipped")
        try shop.handOver(b)
        let e = try shop.call("shipment.deliver", ["shipment": .int(b)])
        #expect(e["fulfilment_state"]?.stringValue == "delivered")
        #expect(try shop.order(n)["fulfilment_state"]?.stringValue == "delivered")
        #expect(try shop.call("shipment.deliver", ["shipment": .int(b)]) == e)
    }

    @Test("unknown shipments are not found")
    func unknownShipment() throws {
        let shop = try Shop()
        try shop.paidOrder()
        try expectRefused(shop, .notFound, "shipment 42 does not exist") { try shop.handOver(42) }
        try expectRefused(shop, .notFound, "shipment 42 does not exist") { try shop.call("shipment.deliver", ["shipment": 42]) }
    }

    @Test("pickup shipments take the order's pickup location; a pickup without one is refused")
    func pickup() throws {
        let shop = try Shop()
        let p = try shop.paidOrder(delivery: ["method": "pickup", "location": "Lager Nord"])
        let s = try shop.call("shipment.create", ["order": .int(p)])
        #expect(s["method"]?.stringValue == "pickup")
        #expect(s["location"]?.stringValue == "Lager Nord")
        #expect(shop.carrier.bookedCount == 0)

        let n = try shop.paidOrder()
        try expectRefused(shop, .invalid, "location", "needs a location") {
            try shop.call("shipment.create", ["order": .int(n), "method": "pickup"])
        }
        try expectRefused(shop, .invalid, "carrier", "needs a carrier") {
            try shop.call("shipment.create", ["order": .int(n), "method": "carrier"])
        }
        let q = try shop.call("shipment.create", ["order": .int(n), "method": "pickup", "location": "Butikken"])
        #expect(q["location"]?.stringValue == "Butikken")
    }

    @Test("cancelled or returned orders cannot be shipped")
    func notForCancelled() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.call("order.cancel", ["order": .int(n)])
        try expectRefused(shop, .policy, "order \(n) is cancelled") { try shop.ship(n) }
    }

    @Test("the shipped e-mail carries the carrier and tracking number")
    func shippedMailTracking() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.ship(n)
        try shop.setStatus(n, "shipped")
        let mail = try #require(shop.outbox().last)
        #expect(mail["subject"]?.stringValue == "Din ordre 1 er afsendt")
        #expect(mail["body"]?.stringValue?.contains("Forsendelsen kan følges hos gls med sporingsnummer GLS-00000011.") == true)
    }

    @Test("shipment.hand_over with an order hands over what is still in the house, once")
    func handOverOfAnOrderHandsOverWhatIsStillInTheHouse() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let first = try shop.ship(n, [("TSHIRT", 1)])
        try shop.handOver(first)
        let second = try shop.ship(n, [("TSHIRT", 1)])
        let third = try shop.ship(n, [("MUG", 1)])
        let r = try shop.call("shipment.hand_over", ["order": .int(n)])
        #expect(r["shipments"]?.arrayValue?.compactMap { $0["shipment"]?.intValue } == [second, third])
        #expect(r["shipments"]?.arrayValue?.allSatisfy { $0["state"] == "handed_over" } == true)
        #expect(r["fulfilment_state"] == "shipped")
        let events = try shop.call("order.timeline", ["order": .int(n)])["events"]?.arrayValue ?? []
        #expect(events.filter { $0["event"] == "shipment.handed_over" }.count == 3)
        // Nothing left in the house: nothing happens, nothing is recorded.
        let before = try shop.checksum()
        #expect(try shop.call("shipment.hand_over", ["order": .int(n)])["shipments"] == [])
        #expect(try shop.checksum() == before)
        // Naming both is refused, naming an unknown order is not_found.
        #expect(throws: OrderError.self) { try shop.call("shipment.hand_over", ["order": .int(n), "shipment": .int(first)]) }
        #expect { try shop.call("shipment.hand_over", ["order": 999]) } throws: { ($0 as? OrderError)?.code == .notFound }
    }
}
