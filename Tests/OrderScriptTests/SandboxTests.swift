import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// The sandbox: what a workflow script cannot reach.
@Suite struct SandboxTests {
    @Test(arguments: ["io", "os", "debug", "package", "dofile", "loadfile", "collectgarbage", "native", "__oe_entry", "loadstring"])
    func dangerousGlobalsAreAbsent(name: String) throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return \(name) == nil") == true)
    }

    @Test func stringDumpIsGoneAndTheStringMetatableLocked() throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return string.dump == nil and ('').dump == nil") == true)
        #expect(try f.host.eval("return getmetatable('')") == .bool(false))
        #expect(try f.host.eval("return getmetatable(_ENV)") == .bool(false))
    }

    @Test func binaryChunksCannotBeLoaded() throws {
        let f = try ScriptFixture()
        let r = try f.host.eval(#"local fn, err = load("\27Lua\84\0\25\147\r\n\26\n"); return {fn == nil, tostring(err)}"#)
        #expect(r.arrayValue?.first == true)
        #expect(r.arrayValue?.last?.stringValue?.contains("binary") == true)
        #expect {
            try f.host.eval("return load(function() return nil end)")
        } throws: { e in (e as? OrderError)?.message.contains("only source text") ?? false }
    }

    @Test func loadRunsInTheSandbox() throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return load('return io')()") == .null)
        #expect(try f.host.eval("return load('return oe ~= nil')()") == true)
    }

    @Test func requireOnlyFindsWorkflowModules() throws {
        let f = try ScriptFixture()
        #expect {
            try f.host.eval("return require('../../etc/passwd')")
        } throws: { e in (e as? OrderError)?.message.contains("not a workflow module name") ?? false }
        #expect {
            try f.host.eval("return require('socket')")
        } throws: { e in (e as? OrderError)?.message.contains("no module 'socket'") ?? false }
    }

    @Test func requireLoadsModulesBesideTheWorkflow() throws {
        let dir = try TempDir()
        try dir.write("helpers.lua", "return { double = function(x) return 2 * x end }")
        try dir.write("flow.lua", "local h = require('helpers'); function doubled(x) return h.double(x) end")
        let f = try ScriptFixture()
        try f.host.loadWorkflow(path: dir.path + "/flow.lua")
        #expect(try f.host.eval("return doubled(21)") == 42)
    }

    @Test func globalsCanBeDefinedAtTopLevelButNotInHooks() throws {
        let f = try ScriptFixture()
        try f.host.eval("helper_value = 7")
        #expect(try f.host.eval("return helper_value") == 7)
        try f.host.eval("oe.on('order.created', function(ev) accidental = ev.order.order end)")
        #expect {
            try f.host.eval("new_order()")
        } throws: { e in (e as? OrderError)?.message.contains("undeclared global 'accidental'") ?? false }
        #expect(try f.engine.call("order.count")["count"] == 0, "the command was rolled back")
    }

    @Test func clockAdvanceIsTestModeOnly() throws {
        let clock = ManualClock(Timestamp(year: 2026, month: 1, day: 1))
        let engine = try Engine(path: TestDatabase.location(":memory:"), configuration: EngineConfiguration(clock: clock))
        let host = try LuaHost(engine: engine)
        #expect {
            try host.eval("oe.clock.advance{days = 1}")
        } throws: { e in (e as? OrderError)?.message.contains("only in test mode") ?? false }
        #expect(clock.now() == Timestamp(year: 2026, month: 1, day: 1))
    }
}
