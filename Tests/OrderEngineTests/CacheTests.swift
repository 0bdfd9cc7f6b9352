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
