import Foundation
import OrderCore
import OrderEngine
import Testing

/// Reads served from the decoded-order cache are never stale: not after another engine (or
/// process) changed the order, and not after a write that rolled back.
@Suite struct CacheTests {
    @Test func anotherEnginesChangeIsSeen() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("shop.sqlite").path
        let a = try Shop(path: path)
        let b = try Shop(path: path)
        let n = try a.paidOrder()
        #expect(try a.order(n)["status"] == "received")  // cached in a
        try b.setStatus(n, "processing")
        #expect(try a.order(n)["status"] == "processing")
    }

    @Test("a status or setting another engine (server) defines is acted on by this engine's next command")
    func anotherEnginesConfigurationIsActedOn() throws {
        let servers = try TwoServers()
        defer { servers.dir.cleanup() }
        let (a, b) = (servers.a, servers.b)
        let n = try a.paidOrder()
        #expect(try a.call("settings.get")["capture_policy"] != "anytime")  // a has its configuration cached
        // b adds a status; a's next write must know it (a stale graph would refuse the move).
        try b.call("status.define", ["key": "packed", "labels": ["da": "Pakket", "en": "Packed"], "from": ["received"], "to": ["shipped"]])
        #expect(try a.setStatus(n, "packed")["status"] == "packed")
        // b changes a setting; a's next read and its next write see it.
        try b.call("settings.set", ["capture_policy": "anytime"])
        #expect(try a.call("settings.get")["capture_policy"] == "anytime")
        let m = try a.paidOrder()  // a caches "anytime"
        try b.call("settings.set", ["capture_policy": "on_hand_over"])
        expectError(.policy) { try a.capture(m) }  // not "anytime" any more: nothing has left the house
        #expect(try a.order(m)["captured"] == 0)
    }

    @Test("PostgreSQL: a configuration another server commits while a command runs is not acted on: the command runs again on the new one",
          .enabled(if: !TestDatabase.isSQLite, "on SQLite the other writer waits for the command's write lock"))
    func aChangeWhileACommandRunsMakesItRunAgain() throws {
        let servers = try TwoServers()
        defer { servers.dir.cleanup() }
        let (a, b) = (servers.a, servers.b)
        try a.settings(["capture_policy": "anytime"])
        let n = try a.paidOrder()
        _ = try a.call("settings.get")  // a's cache: anytime
        // While a's capture runs (after its guards, before its commit), b switches the policy.
        let switchPolicy = once { try b.call("settings.set", ["capture_policy": "on_hand_over"]) }
        a.engine.setHooks(TestHooks(before: { name, _, _ in
            if name == "payment.capture" { try switchPolicy() }
        }))
        expectError(.policy) { try a.capture(n) }  // run again on on_hand_over: the goods are in the house
        #expect(try a.order(n)["captured"] == 0)
        #expect(a.gateway.approvedTotal(order: n, operation: .capture) == 0, "nothing drawn")
        // The same for a status transition b removes while a's move runs.
        try b.call("status.define", ["key": "hold", "labels": ["da": "Afventer", "en": "On hold"], "from": ["received"], "to": ["received"]])
        let m = try a.paidOrder()
        // After a's move is written (its first round trips, with the generation check, are
        // done), b removes the transition: the check at a's COMMIT refuses to commit it.
        let removeHold = once {
            try b.call("status.define", ["key": "received", "labels": ["da": "Modtaget", "en": "Received"],
                                         "to": ["processing", "shipped", "cancelled"]])
        }
        a.engine.setHooks(TestHooks(on: { event, _ in
            if event.order == m { try removeHold() }
        }))
        expectError(.policy) { try a.setStatus(m, "hold") }
        #expect(try a.order(m)["status"] == "received")
        // A move refused by a's stale graph (the status is unknown to it) while b has defined
        // it meanwhile: the refusal is checked against the generation, and the move runs again.
        let k = try a.paidOrder()
        let definePacked = once {
            try b.call("status.define", ["key": "packed", "labels": ["da": "Pakket", "en": "Packed"], "from": ["received"]])
        }
        a.engine.setHooks(TestHooks(before: { name, _, ctx in
            guard name == "order.set_status" else { return }
            _ = try ctx.call("order.get", ["order": .int(k)])  // a's first round trip (and its check) is done
            try definePacked()
        }))
        #expect(try a.setStatus(k, "packed")["status"] == "packed")
        a.engine.setHooks(nil)
        // A command that changes the configuration itself commits (its own bump is not a change by another).
        try a.call("settings.set", ["capture_policy": "anytime"])
        #expect(try b.call("settings.get")["capture_policy"] == "anytime")
    }

    /// Two engines on one shop database, as two app servers.
    private struct TwoServers {
        let dir: TempDir
        let a: Shop
        let b: Shop

        init() throws {
            dir = try TempDir()
            a = try Shop(path: dir.path("shop.sqlite"))
            b = try Shop(path: dir.path("shop.sqlite"))
        }
    }

    /// `body` run the first time only: a hook's change must not be repeated when the store runs
    /// the command again.
    private func once(_ body: @escaping () throws -> Void) -> () throws -> Void {
        let done = Locked(false)
        return {
            guard !done.withLock({ d in defer { d = true }; return d }) else { return }
            try body()
        }
    }

    @Test func aRolledBackWriteLeavesNoTrace() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let before = try shop.order(n)
        final class Refuse: EngineHooks, @unchecked Sendable {
            func before(command name: String, params: JSON, context: CommandContext) throws {}
            func on(event: EngineEvent, context: CommandContext) throws {
                // Read inside the write (as a hook does), then fail the command.
                _ = try context.call("order.get", ["order": .int(event.order)])
                throw OrderError(.script, "no")
            }
        }
        shop.engine.setHooks(Refuse())
        #expect(throws: OrderError.self) { try shop.setStatus(n, "processing") }
        shop.engine.setHooks(nil)
        let o = try shop.order(n)
        #expect(o["status"] == "received")
        #expect(o == before)
        try shop.setStatus(n, "processing")
        #expect(try shop.order(n)["status"] == "processing")
    }
}
