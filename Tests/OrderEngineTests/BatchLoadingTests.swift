import OrderCore
import OrderStore
import Testing
@testable import OrderEngine

/// Reading many orders at once (what `orders.mass_update` does per batch) gives exactly what
/// reading them one by one gives, and the simulators' bounded key memory forgets oldest first.
@Suite struct BatchLoadingTests {
    /// A shop with orders in every shape: unpaid, authorised, shipped in two parcels and
    /// captured, credited, and cancelled.
    private func variedShop() throws -> (Shop, [Int64]) {
        let shop = try Shop()
        let unpaid = try shop.createOrder()
        let authorised = try shop.paidOrder()
        let split = try shop.paidOrder()
        _ = try shop.shipAndHandOver(split, [("TSHIRT", 1)])
        _ = try shop.shipAndHandOver(split)
        _ = try shop.capture(split)
        let credited = try shop.paidOrder()
        _ = try shop.shipAndHandOver(credited)
        _ = try shop.capture(credited)
        _ = try shop.call("credit_note.create", ["order": .int(credited), "lines": [["sku": "TSHIRT", "qty": 1]], "reason": "retur"])
        let cancelled = try shop.paidOrder()
        _ = try shop.setStatus(cancelled, "cancelled")
        return (shop, [unpaid, authorised, split, credited, cancelled])
    }

    @Test func loadingInABatchEqualsLoadingOneByOne() throws {
        let (shop, numbers) = try variedShop()
        try shop.engine.storage.read { s in
            let batch = try s.loadAggregates(numbers + [9999])
            #expect(batch.count == numbers.count)
            #expect(batch[9999] == nil)
            for n in numbers {
                let single = try s.loadAggregate(n)
                #expect(single != nil)
                #expect(batch[n] == single)
            }
            let split = try #require(batch[numbers[2]])
            #expect(split.shipments.count == 2)
            #expect(split.payments.captured > 0)
            #expect(batch[numbers[3]]?.documents.count == 2)
            #expect(try s.loadAggregates([]).isEmpty)
        }
    }

    @Test func theOrderRowsColumnsFollowEveryKindOfChange() throws {
        // Saves write only the columns that changed since the row was read or written; the
        // columns order.find and the filters read must still equal what the order derives.
        let (shop, numbers) = try variedShop()
        let partial = try shop.paidOrder()
        _ = try shop.shipAndHandOver(partial, [("TSHIRT", 1)])
        _ = try shop.capture(partial)
        _ = try shop.call("credit_note.create", ["order": .int(partial), "amount": 100, "reason": "rabat"])
        _ = try shop.call("order.tag", ["order": .int(numbers[1]), "add": ["vip"]])
        _ = try shop.call("orders.mass_update", ["filter": ["orders": [.int(numbers[1]), .int(partial)]], "action": ["add_tag": "tjek"]])
        for n in numbers + [partial] {
            let full = try shop.order(n)
            let row = try #require(try shop.call("order.find", ["orders": [.int(n)]])["orders"]?.arrayValue?.first)
            for field in ["status", "payment_state", "fulfilment_state", "total", "authorized", "captured", "version", "tags"] {
                #expect(row[field] == full[field], "order \(n): \(field) is \(row[field] ?? .null) in the row, \(full[field] ?? .null) derived")
            }
            #expect(row["customer"]?["name"] == full["customer"]?["name"])
        }
        #expect(try shop.find(["payment_state": "partially_refunded"]).contains(numbers[3]))
    }

    @Test func selectingNumbersMatchesTheFilter() throws {
        let (shop, numbers) = try variedShop()
        let filters: [JSONObject] = [[:], ["status": "received"], ["payment_state": "captured"], ["text": "mette"]]
        for f in filters {
            let expected = try shop.find(f)
            let got = try shop.engine.storage.read { s in
                try s.findOrderNumbers(try QueryCommands.filter(ParamReader(.object(f)), statuses: .defaults, zone: .utc),
                                       now: shop.clock.now(), limit: nil)
            }
            #expect(got == expected.sorted(), "filter \(f)")
        }
        let limited = try shop.engine.storage.read { s in
            try s.findOrderNumbers(OrderFilter(), now: shop.clock.now(), limit: 2)
        }
        #expect(limited == Array(numbers.sorted().prefix(2)))
    }

    @Test func aMassUpdateSeesWhatAHookChangedOnALaterOrderOfItsBatch() throws {
        // The batch is preloaded; a hook on order a tags order b. When b's turn comes, its
        // state must include the tag (and version) the hook wrote, not the preloaded one.
        let shop = try Shop()
        let a = try shop.paidOrder(), b = try shop.paidOrder()
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            if e.name == "order.status_changed", e.order == a, e.to == "processing" {
                _ = try ctx.call("order.tag", ["order": .int(b), "add": ["via-hook"]])
            }
        }))
        let versionBefore = try shop.order(b)["version"]?.intValue ?? 0
        let r = try shop.call("orders.mass_update", ["filter": ["orders": [.int(a), .int(b)]], "action": ["set_status": "processing"],
                                                     "batch_size": 2])
        #expect(r["ok"] == 2)
        let order = try shop.order(b)
        #expect(order["status"] == "processing")
        #expect(order["tags"] == ["via-hook"])
        #expect(order["version"]?.intValue == versionBefore + 2)
    }

    @Test func boundedKeyMemoryForgetsTheOldestFirst() throws {
        var m = KeyedMemory<Int>(capacity: 3)
        for (i, k) in ["a", "b", "c", "d", "e"].enumerated() { m.insert(k, i) }
        #expect(m.count == 3)
        #expect(m["a"] == nil && m["b"] == nil)
        #expect(m["c"] == 2 && m["d"] == 3 && m["e"] == 4)
        m.insert("e", 99)  // a key remembered now keeps its first value's slot
        #expect(m["e"] == 99 && m.count == 3)
        var unbounded = KeyedMemory<Int>(capacity: nil)
        for i in 0..<1000 { unbounded.insert("k\(i)", i) }
        #expect(unbounded.count == 1000)
    }

    @Test func aGatewayWithBoundedMemoryStillAnswersRecentKeysOnce() throws {
        let gateway = SimulatedGateway(retainKeys: 2)
        func capture(_ key: String) throws -> GatewayOutcome {
            try gateway.perform(GatewayRequest(operation: .capture, order: 1, amount: 100, currency: "DKK", method: "visa",
                                               authorizationReference: "auth-1", idempotencyKey: key))
        }
        let first = try capture("k1")
        #expect(try capture("k1") == first)
        _ = try capture("k2")
        _ = try capture("k3")
        #expect(try gateway.lookup(idempotencyKey: "k1") == nil)
        #expect(try gateway.lookup(idempotencyKey: "k3") != nil)
        #expect(gateway.approvedCount == 2)
    }
}
