import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// The bounds that hold where the instruction count alone would not: the deadline, a script's
/// budget over the hooks of its commands, the memory cap on what crosses, the log cap, and the
/// sandbox's own copies of the libraries.
@Suite struct BoundsTests {
    /// A loop whose every iteration is one VM instruction comparing 10 MB: few instructions, much time.
    static let slowLoop = "local a, b = string.rep('x', 1e7), string.rep('x', 1e7 - 1) .. 'x' while true do local _ = a == b end"

    @Test func theDeadlineStopsWhatTheBudgetDoesNotSee() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 0, scriptInstructions: 0, maxSeconds: 0.5, scriptMaxSeconds: 0.5))
        let started = ContinuousClock.now
        #expect { try f.host.eval(Self.slowLoop) } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .script && e.message.contains("deadline of 0.5 seconds exceeded")
        }
        #expect(started.duration(to: .now) < .seconds(3))
        #expect(try f.host.eval("return 1 + 1") == 2, "the state works after the deadline")
    }

    @Test func aHookStoppedByTheDeadlineRollsBackItsCommand() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 0, maxSeconds: 0.5))
        try f.host.eval("oe.on('order.created', function() \(Self.slowLoop) end)")
        #expect { try f.host.eval("new_order()") } throws: { ($0 as? OrderError)?.message.contains("deadline") == true }
        #expect(try f.engine.call("order.count")["count"] == 0)
        // Top-level globals still work: the stopped hook left the hook depth.
        try f.host.eval("after_the_hook = 1")
        #expect(try f.host.eval("return after_the_hook") == 1)
    }

    @Test func aScriptsBudgetBoundsTheGuardsOfTheCommandsItCalls() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 50_000_000, scriptInstructions: 3_000_000))
        try f.host.eval("oe.before('settings.set', function() for i = 1, 1600000 do end end)")
        // Each guard spends ~1.6 M instructions of the script's 3 M: the second call cannot finish.
        #expect {
            try f.host.eval("for i = 1, 10 do pcall(oe.call, 'settings.set', {}) end return 'escaped'")
        } throws: { ($0 as? OrderError)?.message.contains("instruction budget of 3000000") == true }
    }

    @Test func aScriptsDeadlineBoundsTheCommandsItCalls() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 0, scriptInstructions: 0, maxSeconds: 30, scriptMaxSeconds: 0.5))
        try f.host.eval("oe.before('settings.set', function() \(Self.slowLoop) end)")
        let started = ContinuousClock.now
        #expect(throws: OrderError.self) { try f.host.eval("pcall(oe.call, 'settings.set', {}) return 'escaped'") }
        #expect(started.duration(to: .now) < .seconds(3))
    }

    @Test func stringRepNamesTheFunctionAndTheCap() throws {
        let f = try ScriptFixture()
        #expect { try f.host.eval("return string.rep('x', math.maxinteger)") } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .outOfMemory
                && e.message.contains("string.rep: result of 9223372036854775807 bytes exceeds the memory cap of 67108864")
        }
        #expect(try f.host.eval("return select(2, pcall(string.rep, 'x', 1e12)):match('^error%[nomem%]') ~= nil") == true)
        #expect(try f.host.eval("return string.rep('ab', 3, ',')") == "ab,ab,ab")
        #expect(try f.host.eval("return string.rep('', math.maxinteger)") == "")
    }

    @Test func loadRefusesChunksOverSixteenMebibytes() throws {
        let f = try ScriptFixture(limits: ScriptLimits(memoryBytes: 128 << 20))
        #expect { try f.host.eval("return load(string.rep(' ', 16 * 1024 * 1024 + 1))") } throws: {
            ($0 as? OrderError)?.message.contains("exceeds the limit of 16777216 bytes") == true
        }
    }

    @Test func encodingCountsAgainstTheMemoryCap() throws {
        let f = try ScriptFixture(limits: ScriptLimits(memoryBytes: 32 << 20))
        let script = "local s = string.rep('x', 4 * 2^20) local t = {} for i = 1, 100 do t[i] = s end return t"
        #expect { try f.host.eval(script) } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .outOfMemory && e.message.contains("exceeds the") && e.message.contains("memory cap of 33554432")
        }
        // A shared table of modest size is fine.
        #expect(try f.host.eval("local s = {1, 2} return #oe.call('order.find', {}).orders + #{s, s, s}") == 3)
    }

    @Test func logOutputIsCappedPerCommandAndSaysHowMuchWasDropped() throws {
        let f = try ScriptFixture(limits: ScriptLimits(logBytes: 1000))
        let lines = Locked<[String]>([])
        f.host.logSink = { l in lines.withLock { $0.append(l) } }
        try f.host.eval("for i = 1, 100 do print(string.rep('x', 100)) end")
        let got = lines.withLock { $0 }
        #expect(got.count == 11)
        #expect(got.dropLast().reduce(0) { $0 + $1.utf8.count } == 1000)
        #expect(got.last == "oe.log: 9000 bytes of log output dropped (the cap is 1000 bytes per command or script)")
        // The next evaluation has its own cap.
        try f.host.eval("print('again')")
        #expect(lines.withLock { $0.last } == "again")
    }

    @Test func eachWorkflowHasItsOwnLibraryTables() throws {
        let f = try ScriptFixture()
        let dir = try TempDir()
        try dir.write("a.lua", "string.upper = function() return 'hijacked' end table.concat = nil")
        try dir.write("b.lua", "oe.on('order.created', function() seen_upper = nil end) b_upper = ('x'):upper() .. string.upper('y')")
        try f.host.loadWorkflow(path: dir.path + "/a.lua")
        try f.host.loadWorkflow(path: dir.path + "/b.lua")
        #expect(try f.host.eval("return b_upper") == "XY")
        #expect(try f.host.eval("return string.upper('z') .. table.concat({'a', 'b'})") == "Zab")
        // The prelude's own functions are untouched: oe.log formats with its private table.concat.
        try f.host.eval("print('a', 'b')")
    }

    @Test func aCoroutineStoppedByALimitNeverRunsItsCloseHandlers() throws {
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 1_000_000, scriptInstructions: 1_000_000))
        try f.host.eval("stopped = {}")
        #expect(throws: OrderError.self) {
            try f.host.eval("""
                local co = coroutine.create(function()
                  local x <close> = setmetatable({}, {__close = function() while true do end end})
                  while true do end
                end)
                stopped.co = co
                coroutine.resume(co)
                """)
        }
        // Later, with a fresh budget: closing it does not run the handler with hooks off.
        let started = ContinuousClock.now
        #expect(try f.host.eval("local ok, e = coroutine.close(stopped.co) return tostring(ok) .. ': ' .. e")
                == "false: coroutine.close: the coroutine was stopped by a limit; its to-be-closed variables are not run")
        #expect(started.duration(to: .now) < .seconds(1))
    }

    @Test(arguments: [
        ("return oe.iso(math.mininteger)", "oe.iso: -9223372036854775808 seconds is outside the supported times"),
        ("return oe.clock.advance{seconds = math.maxinteger}", "oe.clock.advance"),
        ("return oe.clock.advance{days = 0.5}", "days: oe.clock.advance: days must be an integer"),
        ("return oe.call('\\0' .. 'x')", #"oe.call: the command name "\0x" contains a NUL byte"#),
        ("return oe.call('order.count', {text = 'a\\0b'})", #"text: "a\0b" contains a NUL byte"#),
    ])
    func badArgumentsAreInvalidNotCrashes(source: String, message: String) throws {
        let f = try ScriptFixture()
        #expect { try f.host.eval(source) } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .invalid && e.message.contains(message)
        }
        #expect(try f.host.eval("return oe.iso(0)") == "1970-01-01T00:00:00Z")
    }

    @Test func patternsKeepLuaSemantics() throws {
        let f = try ScriptFixture()
        let cases: [(String, JSON)] = [
            ("return ('hello world'):match('^(%w+)')", "hello"),
            ("return ('key = value'):match('(%w+)%s*=%s*(%w+)')", "key"),
            ("return select(2, ('key = value'):match('(%w+)%s*=%s*(%w+)'))", "value"),
            ("return ('THE (quick) fox'):find('%((%a+)%)')", 5),
            ("return ('abc'):gsub('%w', '%0%0')", "aabbcc"),
            ("return ('hello world from Lua'):gsub('(%w+) (%w+)', '%2 %1')", "world hello Lua from"),
            ("return ('$name is $age'):gsub('%$(%w+)', {name = 'Ida', age = 7})", "Ida is 7"),
            ("return ('abc'):gsub('', '-')", "-a-b-c-"),
            ("local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, ';')", "a1;b2"),
            ("return ('THE (quick) fox'):find('f[%a%d]x')", 13),
            ("return ('[[x]]'):match('%b[]')", "[[x]]"),
            ("return ('THE (quick) fox'):gsub('%f[%a]%a+', 'w')", "w (w) w"),
            ("return ('aaa'):match('a-b')", .null),
            ("return ('aaab'):match('a-b')", "aaab"),
            ("return ('  x  '):match('^%s*(.-)%s*$')", "x"),
            ("return ('x=10'):match('()=()')", 2),
            ("return ('hello'):find('l')", 3),
            ("return ('a.b'):find('.', 1, true)", 2),
            ("return ('abab'):find('b', -2)", 4),
            ("return ('abcabc'):match('(a)(b)c%1%2')", "a"),
            ("return ('2024-01-05'):match('^(%d%d%d%d)%-(%d%d)%-(%d%d)$')", "2024"),
            ("return ('ø'):len() .. utf8.len('øæå')", "23"),
            ("local n = 0 for p, c in utf8.codes('aæ€😀') do n = n + c end return n", JSON.int(97 + 0xE6 + 0x20AC + 0x1F600)),
            ("local t = {5, 2, 8, 1, 9, 3} table.sort(t) return table.concat(t, ',')", "1,2,3,5,8,9"),
            ("local t = {5, 2, 8, 1} table.sort(t, function(a, b) return a > b end) return table.concat(t, ',')", "8,5,2,1"),
            ("local t = {1, 2, 3} table.insert(t, 1, 0) table.insert(t, 4) return table.concat(t, ',')", "0,1,2,3,4"),
            ("local t = {1, 2, 3} return table.remove(t, 1) + table.remove(t) * 10 + #t * 100", 131),
            ("return table.concat(table.move({1, 2, 3}, 1, 3, 2), ',')", "1,1,2,3"),
            ("return select('#', table.unpack({1, 2, 3}))", 3),
            ("local ok, r = xpcall(error, function(m) return 'handled ' .. m end, 'x') return r", "handled x"),
            ("return coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)(1)", 2),
        ]
        for (source, expected) in cases {
            #expect(try f.host.eval(source) == expected, "\(source)")
        }
    }
}
