import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// Hooks run inside the command's transaction: their work commits with it or not at all.
@Suite struct TransactionTests {
    @Test func hookWorkCommitsWithTheCommand() throws {
        let f = try ScriptFixture()
        try f.host.eval("""
            oe.on("payment.authorized", function(ev)
              oe.call("order.tag", { order = ev.order.order, add = { "betalt" } })
            end)
            """)
        let n = try f.host.eval("return new_order().order")
        let o = try f.engine.call("order.get", ["order": n])
        #expect(o["tags"] == ["betalt"])
        let events = try f.engine.call("order.timeline", ["order": n])["events"]?.arrayValue ?? []
        #expect(events.contains { $0["event"] == "order.tagged" && $0["actor"] == "lua" || $0["event"] == "order.tagged" })
    }

    @Test func oneSettingIsReadAsItIsWithinTheCommand() throws {
        let f = try ScriptFixture()
        let seen = try f.host.eval("""
            oe.settings.capture_policy = "anytime"
            local before = oe.settings.number_series.order.next
            local n = new_order().order
            return { policy = oe.settings.capture_policy, before = before, after = oe.settings.number_series.order.next,
                     start = oe.settings.order_number_start, none = oe.settings.no_such_setting == nil }
            """)
        #expect(seen == ["policy": "anytime", "before": 1, "after": 2, "start": 1, "none": true])
    }

    @Test func aFailingHookRollsBackEverythingIncludingNumbersAndOutbox() throws {
        let f = try ScriptFixture()
        try f.engine.call("settings.set", ["mail_copy_to": "shop@example.dk"])
        let before = try f.engine.store.contentChecksum()
        try f.host.eval("""
            broken = true
            oe.on("order.created", function(ev)
              oe.call("order.tag", { order = ev.order.order, add = { "x" } })
              oe.call("outbox.queue", { order = ev.order.order, subject = "ny ordre", body = "." })
              if broken then error("workflow broke on purpose") end
            end)
            """)
        let afterLoad = try f.engine.store.contentChecksum()
        var thrown: OrderError?
        do {
            try f.host.eval("new_order()")
        } catch { thrown = error }
        #expect(thrown?.code == .script)
        #expect(thrown?.message.contains("workflow broke on purpose") == true)
        #expect(thrown?.message.contains("stack traceback") == true)
        #expect(try f.engine.store.contentChecksum() == afterLoad)
        #expect(before == afterLoad)
        // The order number drawn in the failed command is used by the next one: no gap.
        try f.host.eval("broken = false")
        let ok = try f.engine.call("order.create", ["customer": ["name": "A", "email": "a@b.dk"],
                                                     "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]])
        #expect(ok["order"] == 1)
    }

    @Test func aGuardsReasonReachesTheCallerUnchanged() throws {
        let f = try ScriptFixture()
        try f.host.eval("""
            oe.before("payment.capture", function(p) return false, "kunden har bedt om at vente" end)
            """)
        let n = try f.host.eval("local o = new_order(); o:ship(); o:hand_over(); return o.order")
        #expect {
            try f.engine.call("payment.capture", ["order": n])
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .script && e.message == "kunden har bedt om at vente"
        }
        #expect(try f.engine.call("order.get", ["order": n])["captured"] == 0)
    }

    @Test func aCaughtNestedFailureIsUndoneButTheCommandGoesOn() throws {
        let f = try ScriptFixture()
        try f.host.eval("""
            oe.on("order.created", function(ev)
              local ok = pcall(oe.call, "order.set_status", { order = ev.order.order, status = "shipped" })
              oe.call("order.tag", { order = ev.order.order, add = { ok and "moved" or "stayed" } })
            end)
            """)
        let n = try f.host.eval("return new_order{authorize = false}.order")
        let o = try f.engine.call("order.get", ["order": n])
        #expect(o["status"] == "pending_payment")
        #expect(o["tags"] == ["stayed"])
    }

    @Test func hooksReceiveTheEventAndTheOrderObject() throws {
        let f = try ScriptFixture()
        try f.host.eval("""
            seen = {}
            oe.on("order.status_changed", function(ev)
              seen[#seen + 1] = ev.from .. ">" .. ev.to .. ":" .. ev.order.order .. ":" .. ev.order.status
            end)
            """)
        try f.host.eval("new_order()")
        #expect(try f.host.eval("return seen") == ["pending_payment>received:1:received"])
    }

    @Test func commandErrorsInLuaCarryTheCodeAndMessage() throws {
        let f = try ScriptFixture()
        let r = try f.host.eval("""
            local ok, err = pcall(oe.call, "order.get", { order = 404 })
            return { ok, tostring(err) }
            """)
        #expect(r.arrayValue?.first == false)
        #expect(r.arrayValue?.last?.stringValue == "error[not_found]: order 404 does not exist")
    }

    @Test func commandErrorsAreTablesWithCodeNameMessageAndField() throws {
        let f = try ScriptFixture()
        let r = try f.host.eval("""
            local ok, err = pcall(oe.call, "order.get", { order = "x" })
            return { err.code, err.code_name, err.message, err.field, tostring(err),
                     err:find("^error%[invalid%]") ~= nil, "got " .. err, type(err) }
            """)
        let a = r.arrayValue ?? []
        #expect(a.count == 8)
        guard a.count == 8 else { return }
        #expect(a[0] == 2)
        #expect(a[1] == "invalid")
        #expect(a[2].stringValue?.hasPrefix("order:") == true)
        #expect(a[3] == "order")
        #expect(a[4].stringValue == "error[invalid]: " + (a[2].stringValue ?? ""))
        #expect(a[5] == true)
        #expect(a[6].stringValue == "got " + (a[4].stringValue ?? ""))
        #expect(a[7] == "table")
        // Re-raised uncaught, it keeps its code.
        #expect { try f.host.eval("local ok, err = pcall(oe.call, 'order.get', {order = 404}) error(err, 0)") } throws: {
            ($0 as? OrderError)?.code == .notFound
        }
    }

    @Test func workflowErrorsAtOpenNameFileAndLine() throws {
        let dir = try TempDir()
        try dir.write("broken.lua", "oe.on('order.created', function(ev)\n  local x = \nend)\n")
        var config = EngineConfiguration()
        config.workflows = [dir.path + "/broken.lua"]
        config.scriptHost = LuaHost.factory()
        #expect {
            _ = try Engine(path: TestDatabase.location(":memory:"), configuration: config)
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .script && e.message.contains("broken.lua:3:")
        }
    }

    @Test func configuredWorkflowsLoadAtEveryOpen() throws {
        let dir = try TempDir()
        try dir.write("tagger.lua", "oe.on('order.created', function(ev) oe.call('order.tag', {order = ev.order.order, add = {'ny'}}) end)")
        var config = EngineConfiguration()
        config.workflows = [dir.path + "/tagger.lua"]
        config.scriptHost = LuaHost.factory()
        let db = dir.path + "/shop.sqlite"
        for expected in [Int64(1), 2] {
            let engine = try Engine(path: TestDatabase.location(db), configuration: config)
            let o = try engine.call("order.create", ["customer": ["name": "A", "email": "a@b.dk"],
                                                      "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]])
            #expect(o["order"] == .int(expected))
            #expect(try engine.call("order.get", ["order": .int(expected)])["tags"] == ["ny"])
        }
    }
}

@Suite struct LuaMassUpdateTests {
    @Test func massUpdateWithAnActionTableOrAFunction() throws {
        let f = try ScriptFixture()
        let r = try f.host.eval("""
            for i = 1, 3 do new_order() end
            local a = oe.orders.mass_update({status = "received"}, {add_tag = "lua"})
            local b = oe.orders.mass_update({tag = "lua"}, function(o)
              if o.order == 2 then error("not this one") end
              return o:set_status("processing").status
            end)
            return {a.ok, b.ok, b.failed, oe.orders.count{status = "processing"}}
            """)
        #expect(r == [3, 2, 1, 2])
    }
}
