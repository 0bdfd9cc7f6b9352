import OrderCore
import OrderEngine
import Testing

/// A hook that changes the shop's configuration (`settings.set`, `status.define`) inside a
/// command that then fails, wholly or in a nested call's savepoint: the change is undone with
/// the rest, the command runs once, and the caller gets the real error — on every backend
/// (PostgreSQL guards its COMMIT by the configuration generation, which such a change bumps).
@Suite("Hooks changing the configuration")
struct HookConfigurationTests {
    static let defaultShopName = "OrderEngine Shop"

    /// The `shop_name` setting as `settings.get` reports it.
    static func shopName(_ shop: Shop) throws -> String? {
        try shop.call("settings.get", ["key": "shop_name"])["shop_name"]?.stringValue
    }

    /// The `shop_name` setting as a hook's `settings.get` call sees it, inside the command.
    static func shopName(_ ctx: CommandContext) throws -> String? {
        try ctx.call("settings.get", ["key": "shop_name"])["shop_name"]?.stringValue
    }

    /// The keys of every defined status.
    static func statusKeys(_ shop: Shop) throws -> [String] {
        try shop.call("status.list")["statuses"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
    }

    @Test("a hook that changed a setting and then failed runs once; the caller gets its script error; the setting is unchanged")
    func failedHookWithSettingsChange() throws {
        let shop = try Shop()
        let runs = Locked(0)
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.created" else { return }
            runs.withLock { $0 += 1 }
            _ = try ctx.call("settings.set", ["shop_name": "Ændret butik"])
            throw OrderError(.script, "plain failure after settings.set")
        }))
        try expectRefused(shop, .script, "plain failure after settings.set") { try shop.createOrder() }
        #expect(runs.withLock { $0 } == 1, "a refusal is not a configuration change: the command is not run again")
        #expect(try Self.shopName(shop) == Self.defaultShopName)
        // The engine is not left believing in the undone change: the next command works on the real one.
        shop.engine.setHooks(nil)
        #expect(try shop.createOrder() == 1)
    }

    @Test("a hook that defined a status and then hit a policy refusal runs once; the caller gets policy; the status is gone")
    func failedHookWithStatusDefinition() throws {
        let shop = try Shop()
        let runs = Locked(0)
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.created" else { return }
            runs.withLock { $0 += 1 }
            _ = try ctx.call("status.define", ["key": "hold", "labels": ["da": "Afventer", "en": "On hold"], "from": ["received"], "to": ["received"]])
            _ = try ctx.call("order.set_status", ["order": .int(e.order), "status": "shipped"])
        }))
        try expectRefused(shop, .policy, "cannot move from 'pending_payment' to 'shipped'") { try shop.createOrder() }
        #expect(runs.withLock { $0 } == 1)
        let keys = try Self.statusKeys(shop)
        #expect(!keys.isEmpty && !keys.contains("hold"))
    }

    @Test("a caught nested call that changed a setting and failed undoes only its own work; the command commits")
    func caughtNestedSettingsChange() throws {
        let shop = try Shop()
        let runs = Locked(0)
        let caught = Locked<[OrderError]>([])
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            switch e.name {
            case "order.created":
                runs.withLock { $0 += 1 }
                do {
                    _ = try ctx.call("order.set_status", ["order": .int(e.order), "status": "received"])
                } catch let err as OrderError {
                    caught.withLock { $0.append(err) }
                }
                _ = try ctx.call("order.tag", ["order": .int(e.order), "add": ["survived"]])
            case "order.status_changed" where e.to == "received":
                _ = try ctx.call("settings.set", ["shop_name": "Ændret butik"])
                throw OrderError(.script, "nested failure after settings.set")
            default: break
            }
        }))
        let n = try shop.createOrder()
        #expect(runs.withLock { $0 } == 1)
        #expect(caught.withLock { $0.map(\.message) } == ["nested failure after settings.set"])
        let o = try shop.order(n)
        #expect(o["status"]?.stringValue == "pending_payment")
        #expect(o["tags"] == ["survived"])
        #expect(try Self.shopName(shop) == Self.defaultShopName)
    }

    @Test("after a rolled-back settings change, a kept one in the same command commits (the COMMIT guard follows the rollback)")
    func keptChangeAfterRolledBackOne() throws {
        let shop = try Shop()
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            switch e.name {
            case "order.created":
                _ = try? ctx.call("order.set_status", ["order": .int(e.order), "status": "received"])
                _ = try ctx.call("settings.set", ["shop_name": "Beholdt butik"])
            case "order.status_changed" where e.to == "received":
                _ = try ctx.call("settings.set", ["shop_name": "Rullet tilbage"])
                _ = try ctx.call("status.define", ["key": "hold", "labels": ["da": "Afventer", "en": "On hold"], "from": ["received"], "to": ["received"]])
                throw OrderError(.script, "undo both")
            default: break
            }
        }))
        let n = try shop.createOrder()
        #expect(try shop.order(n)["status"]?.stringValue == "pending_payment")
        #expect(try Self.shopName(shop) == "Beholdt butik")
        let keys = try Self.statusKeys(shop)
        #expect(!keys.contains("hold"))
        // And the next command runs on the configuration that command committed.
        shop.engine.setHooks(nil)
        try shop.settings(["shop_name": "Igen"])
        #expect(try Self.shopName(shop) == "Igen")
    }

    @Test("after a caught nested call that changed the configuration and failed, the rest of the command sees the configuration as it was")
    func restOfCommandSeesTheUndoneConfiguration() throws {
        let shop = try Shop()
        let seen = Locked<[String]>([])
        let ghost = Locked<OrderError?>(nil)
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            switch e.name {
            case "order.created" where e.order == 1:
                _ = try? ctx.call("order.set_status", ["order": .int(e.order), "status": "received"])
                let name = try Self.shopName(ctx) ?? "?"
                seen.withLock { $0.append(name) }
                do {
                    _ = try ctx.call("order.set_status", ["order": .int(e.order), "status": "zz_ghost"])
                } catch let err as OrderError {
                    ghost.withLock { $0 = err }
                }
                let next = try ctx.call("order.create", Shop.orderParams())
                seen.withLock { $0.append(next["reference"]?.stringValue ?? "?") }
            case "order.status_changed" where e.to == "received":
                _ = try ctx.call("status.define", ["key": "zz_ghost", "labels": ["da": "G", "en": "G"], "from": ["pending_payment"], "to": ["cancelled"]])
                _ = try ctx.call("settings.set", ["shop_name": "Spøgelse", "order_number_prefix": "GHOST-"])
                throw OrderError(.script, "undo it")
            default: break
            }
        }))
        #expect(try shop.createOrder() == 1)
        #expect(seen.withLock { $0 } == [Self.defaultShopName, "2"], "the undone name and prefix are not seen")
        #expect(ghost.withLock { $0?.code } == .notFound, "the undone status does not exist for the rest of the command")
        #expect(try shop.order(1)["status"]?.stringValue == "pending_payment")
    }

    @Test("orders.mass_update: an order whose hook changed the configuration and failed leaves the next orders on the configuration as it was")
    func massUpdateOrdersSeeOnlyCommittedConfiguration() throws {
        let shop = try Shop()
        for _ in 0..<3 { _ = try shop.paidOrder() }
        let seen = Locked<[Int64: String]>([:])
        shop.engine.setHooks(TestHooks(on: { e, ctx in
            guard e.name == "order.status_changed", e.to == "processing" else { return }
            if e.order == 2 {
                _ = try ctx.call("settings.set", ["shop_name": "Fra ordre 2"])
                throw OrderError(.script, "order 2 fails after its settings change")
            }
            let name = try Self.shopName(ctx) ?? "?"
            seen.withLock { $0[e.order] = name }
        }))
        let report = try shop.engine.massUpdate(["filter": ["orders": [1, 2, 3]], "action": ["set_status": "processing"], "batch_size": 3])
        #expect(report["ok"] == 2 && report["failed"] == 1, "\(report)")
        #expect(seen.withLock { $0 } == [1: Self.defaultShopName, 3: Self.defaultShopName])
        #expect(try Self.shopName(shop) == Self.defaultShopName)
    }
}
