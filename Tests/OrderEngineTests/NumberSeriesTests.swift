import Foundation
import OrderCore
import OrderEngine
import Synchronization
import Testing

/// Invariant 4: order, invoice and credit-note numbers are unique and gapless from a
/// configurable start, also under concurrent writers and rolled-back commands.
@Suite("Number series")
struct NumberSeriesTests {
    @Test("each series runs consecutively from its start value with its prefix")
    func startAndPrefix() throws {
        let shop = try Shop()
        let s = try shop.settings([
            "order_number_start": 1000, "order_number_prefix": "WEB-",
            "invoice_number_start": 5000, "invoice_number_prefix": "F-",
            "credit_note_number_start": 700, "credit_note_number_prefix": "KN-",
        ])
        #expect(s["number_series"]?["order"] == ["start": 1000, "next": 1000, "prefix": "WEB-", "issued": 0])
        #expect(s["order_number_start"]?.intValue == 1000)

        var numbers: [Int64] = []
        for _ in 0..<3 {
            let o = try shop.call("order.create", Shop.orderParams())
            numbers.append(try #require(o["order"]?.intValue))
            #expect(o["reference"]?.stringValue == "WEB-\(numbers.last!)")
        }
        #expect(numbers == [1000, 1001, 1002])

        try shop.authorize(1001)
        try shop.shipAndHandOver(1001)
        let c = try shop.capture(1001)
        #expect(c["invoice"]?.intValue == 5000)
        #expect(c["invoice_reference"]?.stringValue == "F-5000")
        let cn = try shop.call("credit_note.create", ["order": 1001, "lines": [["sku": "MUG", "qty": 1]], "reason": "x"])
        #expect(cn["credit_note"]?.intValue == 700)
        #expect(cn["reference"]?.stringValue == "KN-700")
        #expect(cn["document"]?["order_reference"]?.stringValue == "WEB-1001")

        let g = try shop.call("settings.get")
        #expect(g["number_series"]?["order"]?["next"]?.intValue == 1003)
        #expect(g["number_series"]?["order"]?["issued"]?.intValue == 3)
        #expect(g["number_series"]?["invoice"]?["next"]?.intValue == 5001)
        #expect(g["number_series"]?["credit_note"]?["next"]?.intValue == 701)
        #expect(try shop.order(1001)["reference"]?.stringValue == "WEB-1001")
    }

    @Test("settings.get with a key returns that setting alone; a series key shows the series as it is now")
    func oneSetting() throws {
        let shop = try Shop()
        try shop.settings(["order_number_start": 1000, "capture_policy": "anytime"])
        _ = try shop.createOrder()
        #expect(try shop.call("settings.get", ["key": "capture_policy"]) == ["capture_policy": "anytime"])
        #expect(try shop.call("settings.get", ["key": "order_number_start"]) == ["order_number_start": 1000])
        #expect(try shop.call("settings.get", ["key": "number_series"])["number_series"]?["order"]?["next"] == 1001)
        #expect(try shop.call("settings.get", ["key": "no_such_setting"]) == [:])
        let e = #expect(throws: OrderError.self) { try shop.call("settings.get", ["key": 5]) }
        #expect(e?.code == .invalid && e?.field == "key")
    }

    @Test("a series' start cannot move once it has issued a number")
    func startLockedAfterUse() throws {
        let shop = try Shop()
        try shop.createOrder()
        try expectRefused(shop, .conflict, "order_number_start", "issued 1–1") { try shop.settings(["order_number_start": 500]) }
        // Re-applying the start it has (settings.get echoed back) changes nothing and is accepted.
        try shop.settings(["order_number_start": 1])
        // An unused series may still move; a prefix may change at any time (new references only).
        try shop.settings(["order_number_prefix": "W"])
        #expect(try shop.createOrder() == 2)
        #expect(try shop.order(2)["reference"]?.stringValue == "W2")
        #expect(try shop.order(1)["reference"]?.stringValue == "1")
        try shop.settings(["invoice_number_start": 9000])
        #expect(try shop.call("settings.get")["number_series"]?["invoice"]?["next"]?.intValue == 9000)
        try expectRefused(shop, .invalid, "order_number_start", "out of range") { try shop.settings(["order_number_start": 0]) }
        try expectRefused(shop, .invalid, "order_number_prefix") { try shop.settings(["order_number_prefix": 7]) }
    }

    @Test("a command that fails after drawing its number leaves no gap: the next create reuses it")
    func rolledBackCreateLeavesNoGap() throws {
        let shop = try Shop()
        let failing = Locked(false)
        shop.engine.setHooks(TestHooks(on: { event, _ in
            if event.name == "order.created", failing.withLock({ $0 }) {
                throw OrderError(.script, "workflow refused order \(event.order)")
            }
        }))
        #expect(try shop.createOrder() == 1)
        failing.withLock { $0 = true }
        let before = try shop.checksum()
        expectError(.script, "workflow refused order 2") { try shop.createOrder() }
        expectError(.script, "workflow refused order 2") { try shop.createOrder() }
        #expect(try shop.checksum() == before)
        failing.withLock { $0 = false }
        #expect(try shop.createOrder() == 2)
        #expect(try shop.createOrder() == 3)
        #expect(try shop.find() == [1, 2, 3])
    }

    @Test("an invoice rolled back by a hook gives its number to the next invoice")
    func rolledBackInvoiceLeavesNoGap() throws {
        let shop = try Shop()
        try shop.settings(["invoice_on_capture": false, "invoice_number_start": 100, "capture_policy": "anytime"])
        let a = try shop.paidOrder()
        let b = try shop.paidOrder()
        try shop.capture(a)
        try shop.capture(b)
        let failing = Locked(true)
        shop.engine.setHooks(TestHooks(on: { event, _ in
            if event.name == "invoice.created", failing.withLock({ $0 }) { throw OrderError(.script, "no invoices today") }
        }))
        expectError(.script, "no invoices today") {
            try shop.call("invoice.create", ["order": .int(a), "lines": [["sku": "MUG", "qty": 1]]])
        }
        failing.withLock { $0 = false }
        let inv = try shop.call("invoice.create", ["order": .int(b), "lines": [["sku": "MUG", "qty": 1]]])
        #expect(inv["number"]?.intValue == 100)
        #expect(inv["order"]?.intValue == b)
    }

    @Test("concurrent writers on one file, two engines: order numbers unique and gapless",
          .timeLimit(.minutes(5)))
    func concurrentWriters() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("shop.sqlite")
        let a = try Shop(path: path)
        let b = try Shop(path: path)
        // Engine B refuses every order whose customer is named "FAIL" after drawing its number.
        b.engine.setHooks(TestHooks(on: { event, ctx in
            if event.name == "order.created", try ctx.aggregate(event.order).order.customer.name == "FAIL" {
                throw OrderError(.script, "refused")
            }
        }))

        let threadsA = 8, threadsB = 2, perThread = 25
        let errors = Locked<[String]>([])
        let created = Locked<[Int64]>([])
        let refused = Locked(0)
        let group = DispatchGroup()
        for t in 0..<(threadsA + threadsB) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let shop = t < threadsA ? a : b
                for k in 0..<perThread {
                    do {
                        let o = try shop.call("order.create", Shop.orderParams(
                            customer: Shop.customer(name: "Kunde \(t)-\(k)", email: "k\(t)x\(k)@example.dk")))
                        created.withLock { $0.append(o["order"]?.intValue ?? -1) }
                        if t >= threadsA && k % 5 == 0 {
                            do {
                                _ = try shop.call("order.create", Shop.orderParams(customer: Shop.customer(name: "FAIL")))
                                errors.withLock { $0.append("a FAIL order was created") }
                            } catch let e as OrderError where e.code == .script {
                                refused.withLock { $0 += 1 }
                            }
                        }
                    } catch {
                        errors.withLock { $0.append("thread \(t) order \(k): \(error)") }
                    }
                }
            }
            thread.start()
        }
        group.wait()

        #expect(errors.withLock { $0 } == [])
        let total = (threadsA + threadsB) * perThread
        #expect(refused.value == threadsB * (perThread / 5))
        let numbers = created.withLock { $0 }.sorted()
        #expect(numbers.count == total)
        #expect(numbers == Array(1...Int64(total)))

        // Both engines see the same gapless set.
        for shop in [a, b] {
            #expect(try shop.count() == Int64(total))
            var seen: [Int64] = []
            var after: JSON = .null
            repeat {
                let page = try shop.call("order.find", ["limit": 37, "after": after])
                seen += page["orders"]?.arrayValue?.compactMap { $0["order"]?.intValue } ?? []
                after = page["next"] ?? .null
            } while after != .null
            #expect(seen == Array(1...Int64(total)))
        }
        let g = try b.call("settings.get")
        #expect(g["number_series"]?["order"]?["next"]?.intValue == Int64(total) + 1)
    }
}
