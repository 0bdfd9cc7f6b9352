import OrderCore
import OrderEngine
import Synchronization
import Testing

/// orders.mass_update: one action over a filter, per-order results, batches, idempotent captures.
@Suite struct MassUpdateTests {
    @Test func oneFailureDoesNotStopTheRest() throws {
        let shop = try Shop()
        let a = try shop.paidOrder(), b = try shop.paidOrder(), c = try shop.createOrder()  // c: pending_payment
        let r = try shop.call("orders.mass_update", ["filter": ["orders": [.int(a), .int(b), .int(c)]], "action": ["set_status": "processing"]])
        #expect(r["selected"] == 3)
        #expect(r["ok"] == 2)
        #expect(r["failed"] == 1)
        let failure = r["results"]?.arrayValue?.first { $0["order"] == .int(c) }
        #expect(failure?["ok"] == false)
        #expect(failure?["error"]?["code"] == "policy")
        #expect(try shop.order(a)["status"] == "processing")
        #expect(try shop.order(c)["status"] == "pending_payment")
    }

    @Test func runningTheSameCaptureAgainDoesNotCaptureTwice() throws {
        let shop = try Shop()
        var orders: [Int64] = []
        for _ in 0..<4 {
            let n = try shop.paidOrder()
            try shop.shipAndHandOver(n)
            orders.append(n)
        }
        let params: JSON = ["filter": ["payment_state": "authorized"], "action": ["capture": true]]
        let first = try shop.call("orders.mass_update", params)
        #expect(first["ok"] == 4)
        let again = try shop.call("orders.mass_update", ["filter": ["orders": .array(orders.map { .int($0) })], "action": ["capture": true]])
        #expect(again["ok"] == 0)
        #expect(again["skipped"] == 4)
        for n in orders {
            #expect(try shop.order(n)["captured"] == .int(Shop.defaultTotal))
            #expect(shop.gateway.approvedTotal(order: n, operation: .capture) == Shop.defaultTotal)
        }
    }

    @Test("a capture action skips an order whose capture is still in flight, and says so")
    func captureInFlightIsNamedInTheSkipReason() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(loseResponses: true, lookupDown: true)
        _ = try? shop.capture(n, key: "cap-lost")  // the bank drew it; the engine does not know yet
        let r = try shop.call("orders.mass_update", ["filter": ["orders": [.int(n)]], "action": ["capture": true]])
        #expect(r["skipped"] == 1)
        let reason = r["results"]?[0]?["skipped"]?.stringValue ?? ""
        #expect(reason.contains("in flight") && reason.contains("payment.reconcile"), "\(reason)")
        #expect(sim.approvedCount == 1, "nothing drawn twice")
    }

    @Test func aDeclinedCaptureIsThatOrdersFailure() throws {
        let shop = try Shop()
        let a = try shop.paidOrder(), b = try shop.paidOrder()
        try shop.shipAndHandOver(a)
        try shop.shipAndHandOver(b)
        try shop.simulate(b, "capture", "decline")
        let r = try shop.call("orders.mass_update", ["filter": [:], "action": ["capture": true], "report": "failures"])
        #expect(r["ok"] == 1)
        #expect(r["failed"] == 1)
        #expect(r["results"]?.arrayValue?.count == 1)
        #expect(r["results"]?[0]?["order"] == .int(b))
        #expect(r["results"]?[0]?["error"]?["code"] == "port")
    }

    @Test func batchesCommitAndReportProgress() throws {
        let shop = try Shop()
        for _ in 0..<5 { try shop.paidOrder() }
        let calls = Mutex<[Int]>([])
        let r = try shop.engine.massUpdate(["filter": ["status": "received"], "action": ["add_tag": "batch"], "batch_size": 2]) { done, total in
            #expect(total == 5)
            calls.withLock { $0.append(done) }
        }
        #expect(r["ok"] == 5)
        #expect(calls.withLock { $0 } == [2, 4, 5])
        #expect(try shop.count(["tag": "batch"]) == 5)
    }

    @Test func badParametersAreRefusedBeforeAnythingChanges() throws {
        let shop = try Shop()
        try shop.paidOrder()
        let before = try shop.checksum()
        for params: JSON in [
            ["action": ["set_status": "shipped"]],
            ["filter": [:]],
            ["filter": [:], "action": ["fly": true]],
            ["filter": [:], "action": ["capture": true, "hand_over": true]],
            ["filter": ["status": "nonsense"], "action": ["capture": true]],
            ["filter": [:], "action": ["capture": true], "batch_size": 0],
        ] {
            #expect(throws: OrderError.self) { try shop.call("orders.mass_update", params) }
        }
        #expect(try shop.checksum() == before)
    }

    @Test func itCannotRunInsideAnotherCommand() throws {
        let shop = try Shop()
        final class Nested: EngineHooks, @unchecked Sendable {
            func before(command name: String, params: JSON, context: CommandContext) throws {
                if name == "order.tag" { _ = try context.call("orders.mass_update", ["filter": [:], "action": ["capture": true]]) }
            }
            func on(event: EngineEvent, context: CommandContext) throws {}
        }
        let n = try shop.paidOrder()
        shop.engine.setHooks(Nested())
        #expect { try shop.call("order.tag", ["order": .int(n), "add": ["x"]]) } throws: { ($0 as? OrderError)?.code == .misuse }
    }
}
