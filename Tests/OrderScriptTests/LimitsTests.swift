import OrderCore
import OrderEngine
import Testing
@testable import OrderScript
#if canImport(Glibc)
import Glibc
#endif

/// Runaway scripts stop with a clear error, the command rolls back, and the engine keeps working.
@Suite struct LimitsTests {
    static func isBudget(_ e: any Error) -> Bool {
        guard let e = e as? OrderError else { return false }
        return e.code == .script && e.message.contains("instruction budget")
    }

    @Test(arguments: [
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "local function f() return f() end f()",
        "repeat local ok = pcall(error, 'x') until false",
        "local co = coroutine.wrap(function() while true do end end) co()",
    ])
    func theInstructionBudgetStopsLoops(source: String) throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 2_000_000, scriptInstructions: 2_000_000))
        #expect(throws: Never.self) { try f.host.eval("new_order()") }
        #expect { try f.host.eval(source) } throws: { Self.isBudget($0) }
        #expect(try f.host.eval("return 1 + 1") == 2, "the state works after the limit")
    }

    @Test func aRunawayHookRollsBackItsCommand() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 1_000_000))
        try f.host.eval("oe.before('order.set_status', function(p) while true do pcall(function() while true do end end) end end)")
        let n = try f.host.eval("return new_order{authorize = false}.order")
        #expect { try f.engine.call("order.set_status", ["order": n, "status": "cancelled"]) } throws: { Self.isBudget($0) }
        #expect(try f.engine.call("order.get", ["order": n])["status"] == "pending_payment")
        // The next command has a fresh budget... and still hits its guard, which is consistent.
        #expect { try f.engine.call("order.set_status", ["order": n, "status": "cancelled"]) } throws: { Self.isBudget($0) }
        // Commands without the guard work.
        #expect(try f.engine.call("order.count")["count"] == 1)
    }

    /// Each command of a batch (`Engine.transaction`, a mass update) has its own budget for
    /// its hooks: a batch of many orders whose hooks together spend more than one command's
    /// budget is not stopped, while one command that overspends still is.
    @Test func everyCommandOfABatchHasItsOwnBudget() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 1_000_000))
        // About 400,000 instructions per created order: 6 orders spend 2.4 million in one transaction.
        try f.host.eval("oe.on('order.created', function(ev) local x = 0 for i = 1, 200000 do x = x + i end end)")
        let create: JSON = ["customer": ["name": "A", "email": "a@b.dk"],
                            "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]]
        try f.engine.transaction { ctx in
            for _ in 0..<6 { _ = try ctx.call("order.create", create) }
        }
        #expect(try f.engine.call("order.count")["count"] == 6)
        // A mass update: each order's command, with a guard of about 400,000 instructions.
        try f.host.eval("oe.before('order.set_status', function(p) local x = 0 for i = 1, 200000 do x = x + i end end)")
        let report = try f.engine.call("orders.mass_update", ["filter": [:], "action": ["set_status": "cancelled"]])
        #expect(report["ok"] == 6, "\(report)")
        // One command that spends more than its budget alone is still stopped, and rolled back.
        try f.host.eval("oe.on('order.created', function(ev) local x = 0 for i = 1, 2000000 do x = x + i end end)")
        #expect {
            try f.engine.transaction { ctx in _ = try ctx.call("order.create", create) }
        } throws: { Self.isBudget($0) }
        #expect(try f.engine.call("order.count")["count"] == 6)
    }

    @Test(arguments: [
        "local s = string.rep('x', 200 * 1024 * 1024)",
        "local t = {} for i = 1, 1e9 do t[i] = i end",
        "local s = 'x' for i = 1, 40 do s = s .. s end",
    ])
    func theMemoryCapStopsBombs(source: String) throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 0, scriptInstructions: 0, memoryBytes: 16 << 20))
        #expect {
            try f.host.eval(source)
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .outOfMemory || e.message.contains("not enough memory")
        }
        #expect(try f.host.eval("return #string.rep('y', 1000)") == 1000, "the state works after the cap")
        #expect(f.host.memoryUsed < 16 << 20)
    }

    @Test func aMemoryBombInAHookRollsBackTheCommand() throws {
        let f = try ScriptFixture(limits: ScriptLimits(memoryBytes: 16 << 20))
        try f.host.eval("oe.on('order.created', function(ev) local t = {} for i = 1, 1e8 do t[i] = {i} end end)")
        #expect {
            try f.engine.call("order.create", ["customer": ["name": "A", "email": "a@b.dk"],
                                                "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]])
        } throws: { ($0 as? OrderError)?.code == .outOfMemory }
        #expect(try f.engine.call("order.count")["count"] == 0)
    }

    /// 100 000 errors raised from Swift into Lua (a failing native call caught by pcall):
    /// no crash, and the process does not grow (the longjmp never skips Swift's releases).
    @Test func manyErrorsFromSwiftIntoLuaKeepMemoryFlat() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 0, scriptInstructions: 0, maxSeconds: 0, scriptMaxSeconds: 0))
        let script = """
            local n = 0
            for i = 1, %d do
              local ok, err = pcall(oe.time, "not a date")
              if not ok then n = n + 1 end
            end
            return n
            """
        // Warm up: the Lua heap and the allocator's arenas reach their working size.
        #expect(try f.host.eval(script.replacingOccurrences(of: "%d", with: "100000")) == 100_000)
        let before = Self.residentBytes()
        for _ in 0..<3 {
            #expect(try f.host.eval(script.replacingOccurrences(of: "%d", with: "100000")) == 100_000)
        }
        let growth = Self.residentBytes() - before
        // A longjmp over Swift frames leaked about 55 MB per 100 000 errors on this machine, so
        // 300 000 would add ~165 MB. RSS is process-wide and other suites run in parallel, so
        // the bound leaves room for their noise (measured alone: under 1 MB).
        #expect(growth < 48 << 20, "RSS grew by \(growth) bytes over 300 000 errors")
    }

    static func residentBytes() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var size = 0, resident = 0
        _ = withUnsafeMutablePointer(to: &size) { s in withUnsafeMutablePointer(to: &resident) { r in
            withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        } }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

private extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
