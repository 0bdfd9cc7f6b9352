import OrderCore
import OrderEngine
import Testing

/// Invariant 5: each order has an append-only history recording who did what, through which
/// command, when, and with which figures.
@Suite("Timeline")
struct TimelineTests {
    @Test("a whole order life is recorded with actor, command, from/to and amounts")
    func fullHistory() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        shop.clock.advance(minutes: 5)
        try shop.authorize(n)
        shop.clock.advance(hours: 2)
        try shop.call("order.set_status", ["order": .int(n), "status": "processing", "note": "pakkes nu"], actor: "cli")
        let s = try shop.ship(n)
        try shop.handOver(s)
        try shop.capture(n)

        let events = try shop.timeline(n)
        #expect(events.compactMap { $0["event"]?.stringValue } == [
            "order.created", "payment.authorized", "order.status_changed", "mail.queued", "order.status_changed",
            "shipment.created", "shipment.handed_over", "payment.captured", "invoice.created",
        ])
        let created = events[0]
        #expect(created["actor"]?.stringValue == "api")
        #expect(created["command"]?.stringValue == "order.create")
        #expect(created["to"]?.stringValue == "pending_payment")
        #expect(created["amount"]?.intValue == Shop.defaultTotal)
        #expect(created["at"]?.stringValue == "2026-11-23T08:00:00Z")

        let authorized = events[1]
        #expect(authorized["command"]?.stringValue == "payment.authorize")
        #expect(authorized["amount"]?.intValue == Shop.defaultTotal)
        #expect(authorized["detail"]?["method"]?.stringValue == "visa")
        #expect(authorized["detail"]?["expires_at"]?.stringValue == "2026-11-30T08:05:00Z")
        #expect(authorized["at"]?.stringValue == "2026-11-23T08:05:00Z")

        let received = events[2]
        #expect(received["command"]?.stringValue == "payment.authorize")
        #expect(received["from"]?.stringValue == "pending_payment")
        #expect(received["to"]?.stringValue == "received")

        let processing = events[4]
        #expect(processing["actor"]?.stringValue == "cli")
        #expect(processing["command"]?.stringValue == "order.set_status")
        #expect(processing["from"]?.stringValue == "received")
        #expect(processing["to"]?.stringValue == "processing")
        #expect(processing["detail"]?["note"]?.stringValue == "pakkes nu")
        #expect(processing["at"]?.stringValue == "2026-11-23T10:05:00Z")

        #expect(events[5]["detail"]?["shipment"]?.intValue == s)
        #expect(events[5]["detail"]?["tracking"]?.stringValue == "GLS-00000011")
        #expect(events[6]["amount"]?.intValue == Shop.defaultTotal)
        #expect(events[7]["command"]?.stringValue == "payment.capture")
        #expect(events[7]["amount"]?.intValue == Shop.defaultTotal)
        #expect(events[7]["detail"]?["idempotency_key"] != nil)
        #expect(events[8]["detail"]?["number"]?.intValue == 1)
        #expect(events[8]["amount"]?.intValue == Shop.defaultTotal)

        let ids = events.compactMap { $0["id"]?.intValue }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test("history is per order and only grows; failed commands add nothing")
    func appendOnly() throws {
        let shop = try Shop()
        let a = try shop.createOrder()
        let b = try shop.createOrder()
        try shop.authorize(b)
        let before = try shop.timeline(a)
        #expect(before.count == 1)
        #expect(try shop.timeline(b).allSatisfy { $0["order"]?.intValue == b })
        try expectRefused(shop, .policy) { try shop.setStatus(a, "shipped") }
        #expect(try shop.timeline(a) == before)
        try shop.setStatus(a, "cancelled")
        let after = try shop.timeline(a)
        #expect(Array(after.prefix(before.count)) == before)
        #expect(after.count > before.count)
    }

    @Test("the timeline of an unknown order is not found")
    func unknown() throws {
        let shop = try Shop()
        try expectRefused(shop, .notFound, "order 5 does not exist") { try shop.call("order.timeline", ["order": 5]) }
    }
}
