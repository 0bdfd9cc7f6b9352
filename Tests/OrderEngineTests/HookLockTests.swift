import OrderCore
import OrderEngine
import Testing

/// PostgreSQL: a row lock another session holds past `lock_timeout` is `conflict` ("try
/// again") for a call a hook makes, as it is for a top-level command.
@Suite("Hooks meeting a held row lock", .enabled(if: !TestDatabase.isSQLite, "PostgreSQL row locks"))
struct HookLockTests {
    @Test("a hook that catches a nested call on a held order sees conflict, and its command commits")
    func caught() throws {
        let blocker = try WriteBlocker()
        defer { blocker.cleanup() }
        let shop = try Shop(location: blocker.location)
        let held = try shop.createOrder()
        let seen = Locked<[ErrorCode]>([])
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.created", e.order != held else { return }
            do {
                _ = try ctx.call("order.tag", ["order": .int(held), "add": ["x"]])
            } catch let err as OrderError {
                seen.withLock { $0.append(err.code) }
            }
            _ = try ctx.call("order.tag", ["order": .int(e.order), "add": ["survived"]])
        }))
        try blocker.holdRow(ofOrder: held)
        let n = try shop.createOrder()
        try blocker.release()
        #expect(seen.withLock { $0 } == [.conflict])
        #expect(try shop.order(n)["tags"] == ["survived"])
        #expect(try shop.order(held)["tags"] == .array([]))
    }

    @Test("a hook's uncaught nested call on a held order fails its command with conflict; nothing is stored")
    func uncaught() throws {
        let blocker = try WriteBlocker()
        defer { blocker.cleanup() }
        let shop = try Shop(location: blocker.location)
        let held = try shop.createOrder()
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.created", e.order != held else { return }
            _ = try ctx.call("order.tag", ["order": .int(held), "add": ["x"]])
        }))
        try blocker.holdRow(ofOrder: held)
        try expectRefused(shop, .conflict, "row") { try shop.createOrder() }  // checks that nothing was stored
        try blocker.release()
        #expect(try shop.count() == 1)
    }
}
