import Foundation
import OrderCore
import OrderEngine
import OrderStore
import Testing

/// Authorise, capture, void, expiry, "Tjek betalinger", idempotency, gateway refusals and
/// failures, and reconciliation of effects left pending (invariant 7).
@Suite("Payments")
struct PaymentsTests {
    // MARK: - Authorise

    @Test("authorisation expiry follows the validity table per method",
          arguments: [("visa", false, "2026-11-30T08:00:00Z"), ("visa_electron", false, "2026-11-28T08:00:00Z"),
                      ("mobilepay", false, "2026-12-07T08:00:00Z"), ("klarna", false, "2026-12-21T08:00:00Z"),
                      ("mastercard", false, "2026-11-30T08:00:00Z"), ("mastercard", true, "2026-12-23T08:00:00Z"),
                      ("DANKORT", false, "2026-11-30T08:00:00Z"), ("giftcard", false, "2026-11-30T08:00:00Z")])
    func expiryTable(method: String, preauth: Bool, expires: String) throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        let r = try shop.call("payment.authorize", ["order": .int(n), "amount": .int(Shop.defaultTotal), "method": .string(method),
                                                    "preauthorization": .bool(preauth)])
        #expect(r["expires_at"]?.stringValue == expires)
        #expect(r["method"]?.stringValue == method.lowercased())
        #expect(try shop.order(n)["authorization_expires_at"]?.stringValue == expires)
    }

    @Test("the validity table can be changed per method")
    func validityOverride() throws {
        let shop = try Shop()
        let s = try shop.settings(["authorization_validity": ["dankort": 5]])
        #expect(s["authorization_validity"]?["dankort"]?.intValue == 5)
        #expect(s["authorization_validity"]?["visa"]?.intValue == 7)
        let n = try shop.createOrder()
        #expect(try shop.authorize(n, method: "dankort")["expires_at"]?.stringValue == "2026-11-28T08:00:00Z")
    }

    @Test("a partial authorisation leaves the order waiting; the one completing it moves it to received")
    func partialAuthorisation() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        let a = try shop.authorize(n, amount: 20_000)
        #expect(a["status"]?.stringValue == "pending_payment")
        #expect(a["payment_state"]?.stringValue == "partially_authorized")
        #expect(try shop.outbox().isEmpty)
        let b = try shop.authorize(n, amount: 29_700, method: "mobilepay")
        #expect(b["status"]?.stringValue == "received")
        #expect(b["payment_state"]?.stringValue == "authorized")
        #expect(try shop.order(n)["authorized"]?.intValue == Shop.defaultTotal)
        try expectRefused(shop, .invalid, "amount:", "above its total of 497.00 DKK") { try shop.authorize(n, amount: 1) }
    }

    @Test("an authorisation repeated with its idempotency key is replayed, not recorded twice")
    func authorizeIdempotent() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        let first = try shop.authorize(n, key: "chk-abc")
        let before = try shop.checksum()
        let again = try shop.authorize(n, key: "chk-abc")
        #expect(again["replayed"]?.boolValue == true)
        #expect(again["authorization"] == first["authorization"])
        #expect(try shop.checksum() == before)
        #expect(try shop.order(n)["authorized"]?.intValue == Shop.defaultTotal)
    }

    @Test("an authorisation key already used on another order is a conflict, not a storage error")
    func authorizeKeyReuseAcrossOrders() throws {
        let shop = try Shop()
        let a = try shop.createOrder()
        let b = try shop.createOrder()
        try shop.authorize(a, key: "chk-same")
        try expectRefused(shop, .conflict, "idempotency_key") { try shop.authorize(b, key: "chk-same") }
    }

    // MARK: - Capture idempotency

    @Test("a capture repeated with the same idempotency key returns the first result and draws once")
    func captureIdempotent() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        let first = try shop.capture(n, amount: 19_900, key: "cap-1")
        #expect(first["idempotency_key"]?.stringValue == "cap-1")
        let before = try shop.checksum()
        let again = try shop.capture(n, amount: 19_900, key: "cap-1")
        #expect(again == first)
        #expect(try shop.checksum() == before)
        #expect(shop.gateway.approvedCount == 1)
        #expect(shop.gateway.approvedTotal(order: n, operation: .capture) == 19_900)
        #expect(try shop.order(n)["captured"]?.intValue == 19_900)

        let other = try shop.paidOrder()
        try expectRefused(shop, .conflict, "idempotency_key", "'cap-1'") { try shop.capture(other, key: "cap-1") }
    }

    @Test("a capture key that a payment row already carries is refused before any money moves")
    func captureKeyCollidesWithAuthorization() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.createOrder()
        try shop.authorize(n, key: "order-1")
        try expectRefused(shop, .conflict, "idempotency_key", "'order-1'") { try shop.capture(n, key: "order-1") }
        #expect(shop.gateway.approvedCount == 0)
        try expectRefused(shop, .conflict, "idempotency_key") { try shop.call("payment.void", ["order": .int(n), "idempotency_key": "order-1"]) }
        #expect(try shop.capture(n, key: "order-1-capture")["captured"]?.intValue == Shop.defaultTotal)
        // And the other way round: an authorisation may not take a key a capture used.
        let m = try shop.createOrder()
        try expectRefused(shop, .conflict, "idempotency_key") { try shop.authorize(m, key: "order-1-capture") }
    }

    @Test("a capture is split over the valid authorisations, oldest first, one gateway request each; an expired one carries nothing")
    func captureAllocation() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.createOrder()
        let visa = try #require(shop.authorize(n, amount: 19_900, method: "visa")["authorization"]?.intValue)
        let mobile = try #require(shop.authorize(n, amount: 29_800, method: "mobilepay")["authorization"]?.intValue)
        shop.clock.advance(days: 8)  // the Visa reservation has run out, MobilePay holds for 6 more days
        try expectRefused(shop, .policy, "exceeds what is authorised", "expired, carrying nothing: authorisation \(visa) (visa)") {
            try shop.capture(n, amount: 49_700, key: "cap-x")
        }
        try shop.capture(n, amount: 29_800, key: "cap-x")
        let captures = try #require(shop.order(n)["payments"]?.arrayValue).filter { $0["kind"]?.stringValue == "capture" }
        #expect(captures.map { $0["authorization"]?.intValue } == [mobile])
        #expect(captures.map { $0["method"]?.stringValue } == ["mobilepay"])
        #expect(shop.gateway.approvedRequests(order: n).map(\.authorizationReference) == ["chk-\(n)"])
        // The expired Visa reservation cannot be voided (it lapses); nothing valid is left to void.
        try expectRefused(shop, .conflict, "no valid authorisation to void", "expired") { try shop.call("payment.void", ["order": .int(n)]) }
    }

    // MARK: - Void

    @Test("void releases the authorisation; a second void finds nothing open")
    func void() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let v = try shop.call("payment.void", ["order": .int(n)])
        #expect(v["voided"]?.intValue == Shop.defaultTotal)
        #expect(v["payment_state"]?.stringValue == "voided")
        let o = try shop.order(n)
        #expect(o["payment_state"]?.stringValue == "voided")
        #expect(o["authorization_expires_at"] == .null)
        #expect(shop.gateway.approvedTotal(order: n, operation: .void) == Shop.defaultTotal)
        try expectRefused(shop, .conflict, "no valid authorisation") { try shop.call("payment.void", ["order": .int(n)]) }
    }

    @Test("void after a partial capture releases only the rest")
    func voidRest() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n, [("MUG", 1)])
        try shop.capture(n)
        let v = try shop.call("payment.void", ["order": .int(n)])
        #expect(v["voided"]?.intValue == 39_800)
        let o = try shop.order(n)
        #expect(o["payment_state"]?.stringValue == "captured")
        #expect(o["captured"]?.intValue == 9_900)
        #expect(o["voided"]?.intValue == 39_800)
    }

    @Test("a declined void is reported as a port error and leaves the authorisation open")
    func voidDeclined() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.simulate(n, "void", "decline")
        expectError(.port, "void on order \(n) failed", "declined") { try shop.call("payment.void", ["order": .int(n)]) }
        #expect(try shop.order(n)["payment_state"]?.stringValue == "authorized")
        #expect(try shop.timeline(n).named("payment.void_failed").count == 1)
    }

    // MARK: - Expiry and payment.check

    @Test("an authorisation past its validity shows as expired, in order.get and order.find")
    func expiry() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let fresh = try shop.paidOrder(lines: [Shop.line("X", "X", qty: 1, price: 100)])
        shop.clock.advance(days: 6, hours: 23)
        #expect(try shop.order(n)["payment_state"]?.stringValue == "authorized")
        shop.clock.advance(hours: 1)  // exactly 7 days: runs out
        let m = try shop.paidOrder()  // authorised now: valid for 7 more days
        #expect(try shop.order(n)["payment_state"]?.stringValue == "expired")
        #expect(try shop.order(fresh)["payment_state"]?.stringValue == "expired")
        #expect(try shop.order(m)["payment_state"]?.stringValue == "authorized")
        #expect(try shop.find(["payment_state": "expired"]) == [n, fresh])
        #expect(try shop.find(["payment_state": "authorized"]) == [m])
        #expect(try shop.count(["payment_state": ["expired", "authorized"]]) == 3)
    }

    @Test("payment.check lists authorisations expiring within N days and those expired")
    func check() throws {
        let shop = try Shop()
        let visa = try shop.paidOrder()
        let mobile = try shop.createOrder(customer: Shop.customer(name: "Ole Olsen", email: "ole@example.dk"))
        try shop.authorize(mobile, method: "mobilepay")

        var r = try shop.call("payment.check", ["days": 2])
        #expect(r["authorizations"]?.count == 0)

        shop.clock.advance(days: 6)
        r = try shop.call("payment.check", ["days": 2])
        #expect(r["expiring"]?.intValue == 1)
        #expect(r["expired"]?.intValue == 0)
        let row = try #require(r["authorizations"]?[0])
        #expect(row["order"]?.intValue == visa)
        #expect(row["days_left"]?.intValue == 1)
        #expect(row["uncaptured"]?.intValue == Shop.defaultTotal)
        #expect(row["expired"]?.boolValue == false)
        #expect(row["customer"]?.stringValue == "Mette Hansen")

        shop.clock.advance(days: 2)
        r = try shop.call("payment.check", ["days": 7])
        #expect(r["expired"]?.intValue == 1)
        #expect(r["expiring"]?.intValue == 1)
        #expect(r["authorizations"]?[0]?["order"]?.intValue == visa)
        #expect(r["authorizations"]?[0]?["payment_state"]?.stringValue == "expired")
        #expect(r["authorizations"]?[1]?["order"]?.intValue == mobile)
        #expect(r["authorizations"]?[1]?["days_left"]?.intValue == 6)

        // A captured order is no longer watched.
        try shop.settings(["capture_policy": "anytime"])
        try shop.capture(mobile)
        r = try shop.call("payment.check", ["days": 30])
        #expect(r["authorizations"]?.count == 1)
    }

    @Test("an order with one expired and one valid authorisation is not expired, in order.get and order.find alike")
    func mixedExpiry() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        try shop.authorize(n, amount: 20_000, method: "visa")          // 7 days
        try shop.authorize(n, amount: 29_700, method: "mobilepay")     // 14 days
        shop.clock.advance(days: 8)
        #expect(try shop.order(n)["payment_state"]?.stringValue == "authorized")
        #expect(try shop.find(["payment_state": "authorized"]) == [n])
        #expect(try shop.find(["payment_state": "expired"]) == [])
        #expect(try shop.call("order.find", [:])["orders"]?[0]?["payment_state"]?.stringValue == "authorized")
        shop.clock.advance(days: 7)
        #expect(try shop.order(n)["payment_state"]?.stringValue == "expired")
        #expect(try shop.find(["payment_state": "expired"]) == [n])
    }

    @Test("no capture on an expired authorisation; the customer's new payment is accepted and captured")
    func captureAfterExpiry() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        shop.clock.advance(days: 10)
        try expectRefused(shop, .policy, "nothing may be captured", "ask the customer to pay again") { try shop.capture(n) }
        #expect(shop.gateway.approvedCount == 0)
        let check = try shop.call("payment.check", [:])
        let entry = try #require(check["authorizations"]?[0])
        #expect(entry["expired"] == true)
        #expect(entry["left_to_collect"]?.intValue == Shop.defaultTotal)
        #expect(entry["message"]?.stringValue?.contains("497.00 DKK is left to collect") == true)
        // The expired authorisation does not count against the total: a new payment in full is accepted.
        let again = try shop.call("payment.authorize", ["order": .int(n), "amount": .int(Shop.defaultTotal), "method": "mobilepay", "reference": "mp-2"])
        #expect(again["payment_state"]?.stringValue == "authorized")
        try expectRefused(shop, .invalid, "at most 0.00 DKK may be authorised") {
            try shop.call("payment.authorize", ["order": .int(n), "amount": 1, "method": "visa"])
        }
        let r = try shop.capture(n)
        #expect(r["captured"]?.intValue == Shop.defaultTotal)
        #expect(r["method"]?.stringValue == "mobilepay")
        #expect(shop.gateway.approvedRequests(order: n).map(\.authorizationReference) == ["mp-2"])
        // Nothing is left to collect: payment.check no longer lists the expired one.
        #expect(try shop.call("payment.check", [:])["authorizations"]?.count == 0)
    }

    // MARK: - Gateway refusals

    @Test("a declined capture is a port error; nothing is captured; a later approved capture works")
    func declined() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try shop.simulate(n, "capture", "decline")
        expectError(.port, "capture of 497.00 DKK on order \(n) failed (declined)") { try shop.capture(n, key: "cap-d") }
        var o = try shop.order(n)
        #expect(o["captured"]?.intValue == 0)
        #expect(o["payment_state"]?.stringValue == "authorized")
        #expect(o["invoices"]?.count == 0)
        let failed = try shop.timeline(n).named("payment.capture_failed")
        #expect(failed.count == 1)
        #expect(failed.first?["detail"]?["reason"]?.stringValue == "declined")
        #expect(failed.first?["amount"]?.intValue == Shop.defaultTotal)

        // The same key answers with the same failure, without asking again.
        expectError(.port, "declined") { try shop.capture(n, key: "cap-d") }

        try shop.simulate(n, "capture", "approve")
        #expect(try shop.capture(n)["captured"]?.intValue == Shop.defaultTotal)
        o = try shop.order(n)
        #expect(o["payment_state"]?.stringValue == "captured")
        // No invoice number was used up by the failure.
        #expect(o["invoices"]?[0]?["number"]?.intValue == 1)
    }

    @Test("an authorisation the gateway reports expired: port error telling to ask the customer again")
    func expiredAtGateway() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try shop.simulate(n, "capture", "expired")
        expectError(.port, "authorisation has expired at the gateway", "ask the customer to pay again") { try shop.capture(n) }
        #expect(try shop.order(n)["captured"]?.intValue == 0)
        #expect(try shop.timeline(n).named("payment.capture_failed").first?["detail"]?["reason"]?.stringValue == "authorization_expired")
    }

    @Test("an unreachable gateway (request never arrived) fails the capture; nothing is drawn or left pending")
    func unreachable() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try shop.simulate(n, "capture", "fail")
        expectError(.port, "unreachable") { try shop.capture(n) }
        #expect(try shop.order(n)["captured"]?.intValue == 0)
        #expect(shop.gateway.approvedCount == 0)
        // Nothing is in flight: void is allowed and a new capture may be tried.
        try shop.simulate(n, "capture", "approve")
        #expect(try shop.capture(n)["captured"]?.intValue == Shop.defaultTotal)
    }

    // MARK: - Reconciliation

    @Test("a lost gateway answer is resolved by asking by key: booked once, never drawn twice")
    func lostResponseResolvedByLookup() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(loseResponses: true)
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Shop.defaultTotal)
        #expect(flaky.performed == 1)
        #expect(sim.approvedCount == 1)
    }

    @Test("payment.reconcile books a capture whose outcome was unknown, without repeating it")
    func reconcileApproved() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(loseResponses: true, lookupDown: true)
        expectError(.port, "pending", "payment.reconcile") { try shop.capture(n, key: "cap-lost") }
        #expect(sim.approvedCount == 1)  // the bank drew the money…
        #expect(try shop.order(n)["captured"]?.intValue == 0)  // …but the engine does not know yet

        // While the capture is in flight, nothing more may be drawn or voided.
        try expectRefused(shop, .conflict, "in flight", "payment.reconcile") { try shop.capture(n) }
        try expectRefused(shop, .conflict, "in flight") { try shop.call("payment.void", ["order": .int(n)]) }
        try expectRefused(shop, .conflict, "still in flight") { try shop.capture(n, key: "cap-lost") }

        // Still down: reconcile leaves it pending.
        let stillDown = try shop.call("payment.reconcile")
        #expect(stillDown["checked"]?.intValue == 1)
        #expect(stillDown["effects"]?[0]?["ok"]?.boolValue == false)

        flaky.set(loseResponses: false, lookupDown: false)
        let r = try shop.call("payment.reconcile")
        #expect(r["checked"]?.intValue == 1)
        #expect(r["effects"]?[0]?["ok"]?.boolValue == true)
        #expect(flaky.performed == 1)
        #expect(sim.approvedCount == 1)
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == Shop.defaultTotal)
        #expect(o["invoices"]?.count == 1)
        // The key now answers with the booked result.
        #expect(try shop.capture(n, key: "cap-lost")["captured"]?.intValue == Shop.defaultTotal)
        #expect(try shop.call("payment.reconcile")["checked"]?.intValue == 0)
    }

    @Test("payment.reconcile marks failed a capture the gateway never received")
    func reconcileNeverArrived() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(dropRequests: true, lookupDown: true)
        expectError(.port, "pending") { try shop.capture(n) }
        flaky.set(dropRequests: false, lookupDown: false)
        let r = try shop.call("payment.reconcile")
        #expect(r["effects"]?[0]?["ok"]?.boolValue == false)
        #expect(r["effects"]?[0]?["error"]?["message"]?.stringValue?.contains("nothing was drawn") == true)
        #expect(try shop.order(n)["captured"]?.intValue == 0)
        #expect(sim.approvedCount == 0)
        // Nothing in flight any more: a new capture goes through.
        #expect(try shop.capture(n)["captured"]?.intValue == Shop.defaultTotal)
    }

    @Test("cancel waits while a capture is in flight; nothing is voided under it")
    func cancelDuringCaptureInFlight() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(loseResponses: true, lookupDown: true)
        expectError(.port, "pending") { try shop.capture(n) }
        flaky.set(loseResponses: false, lookupDown: false)
        try expectRefused(shop, .conflict, "in flight", "payment.reconcile") { try shop.call("order.cancel", ["order": .int(n)]) }
        #expect(sim.approvedTotal(order: n, operation: .void) == 0)
        try shop.call("payment.reconcile")
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == Shop.defaultTotal)
        #expect(o["voided"]?.intValue == 0)
        #expect(o["status"]?.stringValue == "received")
    }

    @Test("a refund whose answer was lost is held as pending, then booked with its credit note by reconcile")
    func reconcileRefund() throws {
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let shop = try Shop(gateway: sim, port: flaky)
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        flaky.set(loseResponses: true, lookupDown: true)
        expectError(.port, "pending") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2]], "reason": "retur"])
        }
        #expect(try shop.call("invoice.find", ["kind": "credit_note"])["documents"]?.count == 0)
        // One credit note at a time: the next waits until the pending refund is resolved.
        try expectRefused(shop, .conflict, "refund in flight", "payment.reconcile") {
            try shop.call("credit_note.create", ["order": .int(n), "reason": "alt"])
        }
        flaky.set(loseResponses: false, lookupDown: false)
        try shop.call("payment.reconcile")
        let cn = try shop.call("invoice.get", ["kind": "credit_note", "number": 1])
        #expect(cn["total"]?.intValue == 39_800)
        #expect(cn["refunded"]?.intValue == 39_800)
        #expect(try shop.order(n)["refunded"]?.intValue == 39_800)
        #expect(sim.approvedTotal(order: n, operation: .refund) == 39_800)
    }

    @Test("eight threads capturing the same order at once draw the money once", .timeLimit(.minutes(2)))
    func concurrentCaptures() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let shop = try Shop(path: dir.path("shop.sqlite"))
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        let o = captureAtOnce(Array(repeating: shop, count: 8), n)
        #expect(o.filter { $0.hasPrefix("captured") } == ["captured \(Shop.defaultTotal)"])
        #expect(o.filter { $0 == "policy" || $0 == "conflict" }.count == 7)
        #expect(shop.gateway.approvedTotal(order: n, operation: .capture) == Shop.defaultTotal)
        #expect(try shop.order(n)["captured"]?.intValue == Shop.defaultTotal)
        #expect(try shop.call("invoice.find")["documents"]?.count == 1)
    }

    /// As several app servers: eight engines on one database (eight PostgreSQL connections, or
    /// eight SQLite connections to one file), one thread each, paying through one gateway.
    @Test("eight engines on one database capturing the same order at once draw the money once", .timeLimit(.minutes(2)))
    func concurrentCapturesFromEightEngines() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("shop.sqlite"), bank = SimulatedGateway()
        let first = try Shop(path: path, gateway: bank)
        try first.settings(["capture_policy": "anytime"])
        let n = try first.paidOrder()
        let shops = try [first] + (1..<8).map { _ in try Shop(path: path, gateway: bank) }
        let o = captureAtOnce(shops, n)
        #expect(o.filter { $0.hasPrefix("captured") } == ["captured \(Shop.defaultTotal)"], "\(o)")
        #expect(o.filter { $0 == "policy" || $0 == "conflict" }.count == 7, "\(o)")
        #expect(bank.approvedTotal(order: n, operation: .capture) == Shop.defaultTotal)
        for shop in shops { #expect(try shop.order(n)["captured"]?.intValue == Shop.defaultTotal) }
        #expect(try first.call("invoice.find")["documents"]?.count == 1)
        #expect(try first.call("payment.check")["pending_effects"]?.count == 0)
    }

    /// Captures order `n` once through each of `shops` (a shop may repeat), one thread each,
    /// released together; returns each outcome: "captured <amount>" or the error's code name.
    private func captureAtOnce(_ shops: [Shop], _ n: Int64) -> [String] {
        let outcomes = Locked<[String]>([])
        let group = DispatchGroup()
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        for shop in shops {
            group.enter()
            Thread {
                defer { group.leave() }
                ready.signal()
                go.wait()
                do {
                    let r = try shop.capture(n)
                    outcomes.withLock { $0.append("captured \(r["captured"]?.intValue ?? -1)") }
                } catch let e as OrderError {
                    outcomes.withLock { $0.append(e.code.name) }
                } catch {
                    outcomes.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        for _ in shops { ready.wait() }
        for _ in shops { go.signal() }
        group.wait()
        return outcomes.value
    }

    /// A shop whose capture on order `n` the engine left pending (the answer was lost and the
    /// gateway could not be asked), closed five minutes before the clock reads now.
    private func crashedShop(_ path: String, _ clock: ManualClock, _ flaky: FlakyGateway, _ sim: SimulatedGateway) throws -> Int64 {
        let shop = try Shop(path: path, clock: clock, gateway: sim, port: flaky)
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        flaky.set(loseResponses: true, lookupDown: true)
        expectError(.port, "pending") { try shop.capture(n) }
        shop.engine.close()
        flaky.set(loseResponses: false, lookupDown: false)
        clock.advance(minutes: 5)
        return n
    }

    @Test("opening resolves nothing; the first write (ports in place) resolves what a crash left pending")
    func reconcileBeforeFirstWrite() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("shop.sqlite")
        let sim = SimulatedGateway()
        let flaky = FlakyGateway(sim)
        let clock = ManualClock(Shop.start)
        let n = try crashedShop(path, clock, flaky, sim)
        let reopened = try Shop(path: path, clock: clock, gateway: sim, port: flaky)
        // Opening and reading ask no gateway.
        #expect(try reopened.order(n)["captured"]?.intValue == 0)
        let check = try reopened.call("payment.check")
        #expect(check["pending_effects"]?[0]?["resolvable"]?.boolValue == true)
        #expect(check["pending_effects"]?[0]?["gateway"]?.stringValue == "simulator")
        // The first write reconciles first.
        try reopened.createOrder()
        #expect(try reopened.order(n)["captured"]?.intValue == Shop.defaultTotal)
        let booked = try #require(reopened.timeline(n).named("payment.captured").first)
        #expect(booked["actor"]?.stringValue == "system")
        #expect(booked["at"]?.stringValue == "2026-11-23T08:05:00Z")
        #expect(flaky.performed == 1)
        #expect(sim.approvedCount == 1)
        #expect(try reopened.call("payment.check")["pending_effects"]?.count == 0)
    }

    /// A real gateway (another identity) in front of its own bank ledger.
    final class RealGateway: PaymentGateway, @unchecked Sendable {
        let bank = SimulatedGateway()
        let name: String
        init(_ name: String) { self.name = name }
        var identity: String? { name }
        func perform(_ r: GatewayRequest) throws -> GatewayOutcome { try bank.perform(r) }
        func lookup(idempotencyKey: String) throws -> GatewayOutcome? { try bank.lookup(idempotencyKey: idempotencyKey) }
    }

    @Test("an effect is resolved only by the gateway it was sent to: the simulator never settles a real capture")
    func onlyTheSameGatewayResolves() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("shop.sqlite")
        let clock = ManualClock(Shop.start)
        let real = RealGateway("nets-live")
        let flaky = FlakyGateway(real.bank)
        let n: Int64
        do {
            // The capture went to "nets-live" (through a flaky line) and its answer was lost.
            let shop = try Shop(path: path, clock: clock, gateway: real.bank, port: ProxyGateway(flaky, name: "nets-live"))
            try shop.settings(["capture_policy": "anytime"])
            n = try shop.paidOrder()
            flaky.set(loseResponses: true, lookupDown: true)
            expectError(.port, "pending") { try shop.capture(n) }
            shop.engine.close()
        }
        #expect(real.bank.approvedCount == 1)  // the bank drew the money
        clock.advance(minutes: 5)
        // Reopened on the simulator (a host that forgot its port, or a test set-up).
        let sim = SimulatedGateway()
        let wrong = try Shop(path: path, clock: clock, gateway: sim)
        try wrong.createOrder()  // the first write: reconcile must not ask the simulator
        let check = try wrong.call("payment.check")
        let pending = try #require(check["pending_effects"]?[0])
        #expect(pending["gateway"]?.stringValue == "nets-live")
        #expect(pending["resolvable"]?.boolValue == false)
        #expect(pending["note"]?.stringValue?.contains("sent to gateway 'nets-live'") == true)
        let r = try wrong.call("payment.reconcile")
        #expect(r["checked"]?.intValue == 0)
        #expect(r["left_pending"]?.count == 1)
        // Nothing was marked failed, so nothing can be captured a second time.
        #expect(try wrong.order(n)["captured"]?.intValue == 0)
        try expectRefused(wrong, .conflict, "in flight") { try wrong.capture(n) }
        #expect(sim.approvedCount == 0)
        wrong.engine.close()
        // Back on nets-live: resolved, booked once.
        let right = try Shop(path: path, clock: clock, gateway: real.bank, port: real)
        try right.call("payment.reconcile")  // the first write: reconciled before it runs
        #expect(try right.order(n)["captured"]?.intValue == Shop.defaultTotal)
        #expect(real.bank.approvedCount == 1)
    }

    @Test("without a gateway, capture fails with port and records nothing")
    func noGatewayConfigured() throws {
        let sim = SimulatedGateway()
        let shop = try Shop(gateway: sim, port: Unconfigured.Gateway())
        try shop.settings(["capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try expectRefused(shop, .port, "no payment gateway is configured", "simulate") { try shop.capture(n) }
        #expect(try shop.call("payment.check")["pending_effects"]?.count == 0)
        expectError(.notFound, "gateway.simulate") { try shop.call("gateway.simulate", ["order": .int(n), "behaviour": "decline"]) }
    }
}

/// A gateway under another name in front of `inner`.
final class ProxyGateway: PaymentGateway, @unchecked Sendable {
    let inner: any PaymentGateway
    let name: String
    init(_ inner: any PaymentGateway, name: String) { self.inner = inner; self.name = name }
    var identity: String? { name }
    func perform(_ r: GatewayRequest) throws -> GatewayOutcome { try inner.perform(r) }
    func lookup(idempotencyKey: String) throws -> GatewayOutcome? { try inner.lookup(idempotencyKey: idempotencyKey) }
}
