import OrderCore
import OrderEngine
import Testing

/// An order's whole life through the commands, as a Danish shop runs it.
@Suite("Lifecycle")
struct LifecycleTests {
    @Test("a new order starts in pending_payment with derived states and version 1")
    func newOrder() throws {
        let shop = try Shop()
        let o = try shop.call("order.create", Shop.orderParams())
        #expect(o["order"]?.intValue == 1)
        #expect(o["reference"]?.stringValue == "1")
        #expect(o["status"]?.stringValue == "pending_payment")
        #expect(o["status_label"]?.stringValue == "Ikke modtaget")
        #expect(o["payment_state"]?.stringValue == "none")
        #expect(o["fulfilment_state"]?.stringValue == "unshipped")
        #expect(o["total"]?.intValue == Shop.defaultTotal)
        // 398.00 + 99.00 at 25 %: 99.40 VAT.
        #expect(o["total_vat"]?.intValue == 9_940)
        #expect(o["total_net"]?.intValue == 39_760)
        #expect(o["notify"]?.boolValue == true)
        #expect(o["version"]?.intValue == 1)
        #expect(o["created_at"]?.stringValue == "2026-11-23T08:00:00Z")
        #expect(o["lines"]?.count == 2)
        #expect(o["lines"]?[0]?["total"]?.intValue == 39_800)
        #expect(try shop.order(1) == o)
    }

    @Test("shipping flow: authorise → received → processing → shipped → hand over → capture → delivered")
    func shippingFlow() throws {
        let shop = try Shop()
        let n = try shop.createOrder()

        let auth = try shop.authorize(n)
        #expect(auth["status"]?.stringValue == "received")
        #expect(auth["payment_state"]?.stringValue == "authorized")
        #expect(auth["expires_at"]?.stringValue == "2026-11-30T08:00:00Z")
        #expect(try shop.outbox().count == 1)  // "Tak for din ordre"

        try shop.setStatus(n, "processing")
        let s = try shop.ship(n)
        let shipped = try shop.setStatus(n, "shipped")
        #expect(shipped["changed"]?.boolValue == true)
        #expect(shipped["outbox"]?.count == 1)
        #expect(try shop.order(n)["fulfilment_state"]?.stringValue == "shipped")

        // The label is printed but the parcel is still in the house: no money yet.
        try expectRefused(shop, .policy, "nothing may be captured") { try shop.capture(n) }

        let h = try shop.handOver(s)
        #expect(h["state"]?.stringValue == "handed_over")
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Shop.defaultTotal)
        #expect(c["payment_state"]?.stringValue == "captured")
        #expect(c["invoice"]?.intValue == 1)

        try shop.call("shipment.deliver", ["shipment": .int(s)])
        try shop.setStatus(n, "delivered")

        let o = try shop.order(n)
        #expect(o["status"]?.stringValue == "delivered")
        #expect(o["payment_state"]?.stringValue == "captured")
        #expect(o["fulfilment_state"]?.stringValue == "delivered")
        #expect(o["authorized"]?.intValue == Shop.defaultTotal)
        #expect(o["captured"]?.intValue == Shop.defaultTotal)
        #expect(o["refunded"]?.intValue == 0)
        #expect(o["invoices"]?.count == 1)
        #expect(o["shipments"]?[0]?["state"]?.stringValue == "delivered")
        #expect(o["authorization_expires_at"] == .null)
        #expect(shop.gateway.approvedTotal(order: n, operation: .capture) == Shop.defaultTotal)
    }

    @Test("click-and-collect: ready_for_pickup, handed to the customer, picked_up, then captured")
    func pickupFlow() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(delivery: ["method": "pickup", "location": "Butikken, Vestergade 1"])
        let ready = try shop.setStatus(n, "ready_for_pickup")
        #expect(ready["outbox"]?.count == 1)
        let mail = try #require(shop.outbox().last)
        #expect(mail["body"]?.stringValue?.contains("Butikken, Vestergade 1") == true)

        let sh = try shop.call("shipment.create", ["order": .int(n)])
        #expect(sh["method"]?.stringValue == "pickup")
        #expect(sh["location"]?.stringValue == "Butikken, Vestergade 1")
        try expectRefused(shop, .policy) { try shop.capture(n) }
        try shop.handOver(try #require(sh["shipment"]?.intValue))
        try shop.setStatus(n, "picked_up")
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Shop.defaultTotal)
        #expect(try shop.order(n)["status"]?.stringValue == "picked_up")
    }

    @Test("cancel voids the open authorisation and mails the customer; a cancelled order takes nothing more")
    func cancel() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let r = try shop.call("order.cancel", ["order": .int(n), "reason": "kunden fortrød"])
        #expect(r["status"]?.stringValue == "cancelled")
        #expect(r["from"]?.stringValue == "received")
        #expect(r["voiding"]?.intValue == Shop.defaultTotal)
        #expect(r["effects"]?[0]?["kind"]?.stringValue == "void")
        #expect(r["effects"]?[0]?["ok"]?.boolValue == true)

        let o = try shop.order(n)
        #expect(o["status"]?.stringValue == "cancelled")
        #expect(o["payment_state"]?.stringValue == "voided")
        #expect(o["voided"]?.intValue == Shop.defaultTotal)
        #expect(try shop.outbox().compactMap { $0["subject"]?.stringValue }.contains("Din ordre 1 er annulleret"))

        try expectRefused(shop, .policy, "cancelled") { try shop.authorize(n) }
        try expectRefused(shop, .policy, "cancelled") { try shop.capture(n) }
        try expectRefused(shop, .policy, "cancelled") { try shop.ship(n) }
        try expectRefused(shop, .policy, "'cancelled'", "final status") { try shop.setStatus(n, "received") }
    }

    @Test("an unpaid order can be cancelled without any gateway call")
    func cancelUnpaid() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        let r = try shop.call("order.cancel", ["order": .int(n)])
        #expect(r["voiding"]?.intValue == 0)
        #expect(r["effects"] == nil)
        #expect(shop.gateway.approvedCount == 0)
    }

    @Test("cancel is refused once money is captured or goods left the house")
    func cancelRefused() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let s = try shop.shipAndHandOver(n)
        try expectRefused(shop, .policy, "left the house") { try shop.call("order.cancel", ["order": .int(n)]) }
        try shop.capture(n)
        try expectRefused(shop, .policy, "captured and not refunded", "credit_note.create") {
            try shop.call("order.cancel", ["order": .int(n)])
        }
        _ = s
    }

    @Test("a return: delivered → returned, credited in full and refunded")
    func returnFlow() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.setStatus(n, "shipped")
        let s = try shop.shipAndHandOver(n)
        try shop.capture(n)
        try shop.call("shipment.deliver", ["shipment": .int(s)])
        try shop.setStatus(n, "delivered")
        try shop.setStatus(n, "returned")
        let cn = try shop.call("credit_note.create", ["order": .int(n), "reason": "fortrydelsesret"])
        #expect(cn["total"]?.intValue == Shop.defaultTotal)
        #expect(cn["refunded"]?.intValue == Shop.defaultTotal)
        #expect(cn["payment_state"]?.stringValue == "refunded")
        let o = try shop.order(n)
        #expect(o["status"]?.stringValue == "returned")
        #expect(o["refunded"]?.intValue == Shop.defaultTotal)
        #expect(o["invoices"]?.count == 2)
        #expect(shop.gateway.approvedTotal(order: n, operation: .refund) == Shop.defaultTotal)
    }

    @Test("setting the status an order already has changes nothing")
    func sameStatus() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let before = try shop.checksum()
        let r = try shop.setStatus(n, "received")
        #expect(r["changed"]?.boolValue == false)
        #expect(r["outbox"]?.count == 0)
        #expect(try shop.checksum() == before)
    }
}
