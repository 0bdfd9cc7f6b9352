import OrderCore
import OrderEngine
import Synchronization
import Testing

/// Invariant 6 seen from a Swift `EngineHooks`: guards and hooks run inside the command's
/// transaction; nested calls run in savepoints.
@Suite("Hooks")
struct HooksTests {
    @Test("hooks see each command's guard and events, with from/to, amounts and shipments")
    func events() throws {
        let shop = try Shop()
        let hooks = TestHooks()
        shop.engine.setHooks(hooks)
        let n = try shop.paidOrder()
        let s = try shop.ship(n)
        try shop.handOver(s)
        try shop.capture(n)
        try shop.order(n)  // reads run no guards

        #expect(hooks.commands == ["order.create", "payment.authorize", "shipment.create", "shipment.hand_over", "payment.capture"])
        #expect(hooks.events.map(\.name) == ["order.created", "payment.authorized", "order.status_changed", "shipment.created",
                                             "shipment.handed_over", "payment.captured", "invoice.created"])
        let e = hooks.events
        #expect(e[0].order == n && e[0].to == "pending_payment" && e[0].amount == Shop.defaultTotal)
        #expect(e[2].from == "pending_payment" && e[2].to == "received")
        #expect(e[3].shipment == s)
        #expect(e[4].amount == Shop.defaultTotal)
        #expect(e[5].amount == Shop.defaultTotal)
        #expect(e[6].detail["number"]?.intValue == 1)
    }

    @Test("a guard that throws refuses the command and nothing is stored")
    func guardRefuses() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        shop.engine.setHooks(TestHooks(before: { name, params, _ in
            if name == "payment.capture", params["amount"] == nil {
                throw OrderError(.script, "guard: name the amount to capture")
            }
        }))
        try expectRefused(shop, .script, "guard: name the amount to capture") { try shop.capture(n) }
        #expect(shop.gateway.approvedCount == 0)
        #expect(try shop.capture(n, amount: 9_900)["captured"]?.intValue == 9_900)
    }

    @Test("a guard refusing order.create stores nothing and uses no number")
    func guardRefusesCreate() throws {
        let shop = try Shop()
        shop.engine.setHooks(TestHooks(before: { name, params, _ in
            if name == "order.create", params["customer"]?["email"]?.stringValue?.hasSuffix("@blocked.dk") == true {
                throw OrderError(.script, "customer is blocked")
            }
        }))
        try expectRefused(shop, .script, "customer is blocked") {
            try shop.createOrder(customer: Shop.customer(email: "x@blocked.dk"))
        }
        #expect(try shop.createOrder() == 1)
    }

    @Test("a hook's context.call runs inside the same transaction")
    func nestedCallSameTransaction() throws {
        let shop = try Shop()
        let failAfter = Locked(false)
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.created" else { return }
            #expect(ctx.callDepth == 1)
            let r = try ctx.call("order.set_notify", ["order": .int(e.order), "notify": false])
            #expect(r["version"]?.intValue == 2)
            // The nested change is visible at once, in this transaction.
            #expect(try ctx.call("order.get", ["order": .int(e.order)])["notify"]?.boolValue == false)
            if failAfter.withLock({ $0 }) { throw OrderError(.script, "hook failed after the nested call") }
        }))
        let n = try shop.createOrder()
        let o = try shop.order(n)
        #expect(o["notify"]?.boolValue == false)
        #expect(o["version"]?.intValue == 2)
        let t = try shop.timeline(n)
        #expect(t.compactMap { $0["event"]?.stringValue } == ["order.created", "order.notify_changed"])
        #expect(t[1]["command"]?.stringValue == "order.set_notify")

        // When the hook fails afterwards, the nested change goes with the command.
        failAfter.withLock { $0 = true }
        try expectRefused(shop, .script, "hook failed after the nested call") { try shop.createOrder() }
        #expect(try shop.count() == 1)
    }

    @Test("a failing nested call is undone by its savepoint; the hook may catch it and carry on")
    func nestedFailureUndone() throws {
        let shop = try Shop()
        let caught = Locked<[OrderError]>([])
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            switch e.name {
            case "order.created":
                do {
                    // Writes the status, the timeline and a "received" e-mail, then its own hook throws.
                    _ = try ctx.call("order.set_status", ["order": .int(e.order), "status": "received"])
                } catch let err as OrderError {
                    caught.withLock { $0.append(err) }
                }
                _ = try ctx.call("order.set_notify", ["order": .int(e.order), "notify": false])
            case "order.status_changed" where e.to == "received":
                throw OrderError(.script, "not received yet")
            default: break
            }
        }))
        let n = try shop.createOrder()
        #expect(caught.withLock { $0.map(\.message) } == ["not received yet"])
        let o = try shop.order(n)
        #expect(o["status"]?.stringValue == "pending_payment")
        #expect(o["notify"]?.boolValue == false)
        #expect(o["version"]?.intValue == 2)
        #expect(try shop.timeline(n).compactMap { $0["event"]?.stringValue } == ["order.created", "order.notify_changed"])
        #expect(try shop.outbox("all").isEmpty)
    }

    @Test("an uncaught nested failure fails the whole command")
    func nestedFailureUncaught() throws {
        let shop = try Shop()
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            if e.name == "order.created" {
                _ = try ctx.call("order.set_status", ["order": .int(e.order), "status": "shipped"])
            }
        }))
        try expectRefused(shop, .policy, "cannot move from 'pending_payment' to 'shipped'") { try shop.createOrder() }
        #expect(try shop.count() == 0)
    }

    @Test("runaway hook recursion stops at the call-depth limit with misuse")
    func depthLimit() throws {
        let shop = try Shop(maxCallDepth: 4)
        let n = try shop.createOrder()
        let depths = Locked<[Int]>([])
        shop.engine.setHooks(TestHooks(before: { name, params, ctx in
            guard name == "order.set_notify" else { return }
            depths.withLock { $0.append(ctx.callDepth) }
            _ = try ctx.call("order.set_notify", params)
        }))
        try expectRefused(shop, .misuse, "deeper than 4") { try shop.call("order.set_notify", ["order": .int(n), "notify": false]) }
        #expect(depths.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test("a hook can capture at hand-over (the default Danish workflow); the result reports the effect")
    func captureOnHandOver() throws {
        let shop = try Shop()
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            if e.name == "shipment.handed_over", ctx.settings.autoCaptureOnHandOver {
                _ = try ctx.call("payment.capture", ["order": .int(e.order)])
            }
        }))
        let n = try shop.paidOrder()
        let s = try shop.ship(n, [("TSHIRT", 2)])
        let h = try shop.handOver(s)
        let effect = try #require(h["effects"]?[0])
        #expect(effect["kind"]?.stringValue == "capture")
        #expect(effect["ok"]?.boolValue == true)
        #expect(effect["amount"]?.intValue == 39_800)
        #expect(effect["result"]?["invoice"]?.intValue == 1)
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == 39_800)
        #expect(o["payment_state"]?.stringValue == "partially_captured")
    }

    @Test("a hook failing while a capture is booked cannot un-draw the money: it is booked and the error reported")
    func hookFailsInPhaseTwo() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        shop.engine.setHooks(TestHooks(on: { e, _ in
            if e.name == "payment.captured" { throw OrderError(.script, "bookkeeping export failed") }
        }))
        expectError(.script, "bookkeeping export failed", "itself was recorded") { try shop.capture(n) }
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == Shop.defaultTotal)
        #expect(o["invoices"]?.count == 1)
        #expect(shop.gateway.approvedCount == 1)
    }

    @Test("removing the hooks stops them")
    func removeHooks() throws {
        let shop = try Shop()
        shop.engine.setHooks(TestHooks(before: { _, _, _ in throw OrderError(.script, "closed") }))
        expectError(.script, "closed") { try shop.createOrder() }
        shop.engine.setHooks(nil)
        #expect(shop.engine.hooks == nil)
        #expect(try shop.createOrder() == 1)
    }
}
