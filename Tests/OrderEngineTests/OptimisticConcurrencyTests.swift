import OrderCore
import OrderEngine
import Testing

/// `expected_version`: a caller that read an order may insist it has not changed since.
@Suite("Optimistic concurrency")
struct OptimisticConcurrencyTests {
    @Test("every change bumps the version; a stale expected_version is a conflict and changes nothing")
    func staleVersion() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let v = try #require(shop.order(n)["version"]?.intValue)
        #expect(v == 3)  // created, authorised, status received

        let r = try shop.call("order.set_status", ["order": .int(n), "status": "processing", "expected_version": .int(v)])
        #expect(r["version"]?.intValue == v + 1)

        try expectRefused(shop, .conflict, "order \(n) is at version \(v + 1), not \(v)", "reload and retry") {
            try shop.call("order.set_status", ["order": .int(n), "status": "shipped", "expected_version": .int(v)])
        }
        #expect(try shop.order(n)["status"]?.stringValue == "processing")
    }

    @Test("expected_version is honoured by every command that takes it",
          arguments: ["order.set_notify", "order.cancel", "payment.capture", "shipment.create"])
    func commands(_ command: String) throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        var params: JSONObject = ["order": .int(n), "expected_version": 1]
        if command == "order.set_notify" { params["notify"] = false }
        try expectRefused(shop, .conflict, "is at version 3, not 1") { try shop.call(command, .object(params)) }
        params["expected_version"] = 3
        try shop.call(command, .object(params))
    }

    @Test("two engines on one file: the second writer with the old version loses")
    func twoEngines() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let a = try Shop(path: dir.path("shop.sqlite"))
        let b = try Shop(path: dir.path("shop.sqlite"))
        let n = try a.paidOrder()
        let seenByA = try #require(a.order(n)["version"])
        let seenByB = try #require(b.order(n)["version"])
        #expect(seenByA == seenByB)
        try a.call("order.set_status", ["order": .int(n), "status": "processing", "expected_version": seenByA])
        try expectRefused(b, .conflict, "changed since you read it") {
            try b.call("order.set_status", ["order": .int(n), "status": "cancelled", "expected_version": seenByB])
        }
        #expect(try b.order(n)["status"]?.stringValue == "processing")
    }

    @Test("expected_version must be an integer")
    func wrongType() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        try expectRefused(shop, .invalid, "expected_version", "expected an integer, got string") {
            try shop.call("order.set_status", ["order": .int(n), "status": "received", "expected_version": "1"])
        }
    }
}
