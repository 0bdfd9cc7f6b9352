import Foundation
import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// The hostile-script corpus (Tests/OrderScriptTests/Hostile/*.lua): each script tries to escape,
/// hang, crash or exhaust the sandbox. Its first line says how it must end (`-- expect: a|b`,
/// message fragments, or "(any …)" when a harmless result is fine too); an optional second line
/// `-- code: x|y` names further accepted error codes besides `script`, `nomem` and `invalid`.
///
/// Each runs twice: as a budgeted script (`LuaHost.eval`), and as the body of an
/// `order.created` hook of a loaded workflow, with the command that runs it. Each must end
/// with its error within a few seconds; afterwards the database is as before and the engine
/// and the Lua state work normally.
@Suite struct HostileScriptsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Hostile")

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".lua") }.sorted()
    }

    /// Short limits, so the corpus runs quickly: what counts is that each limit holds.
    static let limits = ScriptLimits(instructions: 5_000_000, scriptInstructions: 5_000_000, memoryBytes: 32 << 20,
                                     maxSeconds: 2, scriptMaxSeconds: 2)
    /// The deadline plus what the slowest bounded step may add (a sanitizer build is slower).
    static let stopWithin: Double = 6

    struct Header {
        var fragments: [String] = []
        var anyResult = false
        var codes: Set<ErrorCode> = [.script, .outOfMemory, .invalid]
        /// The script commits commands of its own before it fails (scripts commit call by call).
        var commits = false
    }

    static func header(_ source: String) -> Header {
        var h = Header()
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).prefix(2).map(String.init)
        if let first = lines.first, first.hasPrefix("-- expect: ") {
            let e = String(first.dropFirst("-- expect: ".count))
            h.anyResult = e.hasPrefix("(any")
            h.fragments = h.anyResult ? [] : e.split(separator: "|").map(String.init)
        }
        if lines.count > 1, lines[1].hasPrefix("-- code: ") {
            for word in lines[1].dropFirst("-- code: ".count).split(separator: " ") {
                if word == "commits" { h.commits = true }
                for n in word.split(separator: "|") {
                    if let c = ErrorCode(name: String(n)) { h.codes.insert(c) }
                }
            }
        }
        return h
    }

    @Test func theCorpusHasWellOverAHundredScripts() {
        #expect(Self.scripts.count >= 120)
    }

    /// What a hostile script could have changed.
    static func snapshot(_ engine: Engine) throws -> JSON {
        [try engine.call("order.count"), try engine.call("settings.get"), try engine.call("status.list"),
         try engine.call("outbox.list"), try engine.call("invoice.find")]
    }

    static func checkAfterwards(_ f: ScriptFixture, _ before: JSON?, _ file: String, _ mode: String) throws {
        if let before { #expect(try snapshot(f.engine) == before, "\(file) (\(mode)) changed the database") }
        let n = try f.engine.call("status.define", ["key": "efter", "labels": ["da": "Efter", "en": "After"]])
        #expect(n["key"] == "efter")
        #expect(try f.host.eval("return 20 + 22") == 42)
        #expect(try f.host.eval("return ('abc'):find('b', 1, true)") == 2, "the string library still works")
    }

    static func checkFailure(_ failure: OrderError?, _ h: Header, _ file: String, _ mode: String, fragments: Bool) {
        guard !h.anyResult else { return }
        guard let e = failure else {
            Issue.record("\(file) (\(mode)) ran without an error")
            return
        }
        #expect(h.codes.contains(e.code), "\(file) (\(mode)): code \(e.code.name): \(e.message)")
        #expect(!e.message.isEmpty)
        if fragments {
            #expect(h.fragments.contains { e.message.contains($0) }, "\(file) (\(mode)): \(e.message)")
        }
    }

    @Test(arguments: scripts)
    func asABudgetedScript(file: String) throws {
        let source = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let h = Self.header(source)
        let f = try ScriptFixture(limits: Self.limits)
        let before = try Self.snapshot(f.engine)
        let started = ContinuousClock.now
        var failure: OrderError?
        do { try f.host.eval(source, chunkname: "@" + file) } catch { failure = error }
        let took = started.duration(to: .now)
        #expect(took < .seconds(Self.stopWithin), "\(file) took \(took) to stop")
        print("hostile-timing script \(file) \(took)")
        Self.checkFailure(failure, h, file, "script", fragments: true)
        try Self.checkAfterwards(f, h.commits ? JSON?.none : before, file, "script")
    }

    @Test(arguments: scripts)
    func asAWorkflowHook(file: String) throws {
        let source = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let h = Self.header(source)
        let f = try ScriptFixture(limits: Self.limits)
        let dir = try TempDir()
        // What the body returns crosses into the engine, as a script's result would.
        try dir.write("hostile.lua", """
            oe.on('order.created', function(ev)
              local function body()
            \(source)
              end
              local r = table.pack(body())
              if r.n > 0 then oe.call('order.count', {result = r[1]}) end
            end)

            """)
        try f.host.loadWorkflow(path: dir.path + "/hostile.lua")
        let before = try Self.snapshot(f.engine)
        let started = ContinuousClock.now
        var failure: OrderError?
        do {
            _ = try f.engine.call("order.create", ["customer": ["name": "A", "email": "a@b.dk"],
                                                   "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]])
        } catch { failure = error }
        let took = started.duration(to: .now)
        #expect(took < .seconds(Self.stopWithin), "\(file) as a hook took \(took) to stop")
        print("hostile-timing hook \(file) \(took)")
        // Inside a hook some scripts fail earlier or differently (a global assignment, a nested
        // command): the code and the time to stop are what must hold.
        var hookHeader = h
        hookHeader.codes.formUnion([.misuse, .notFound])
        Self.checkFailure(failure, hookHeader, file, "hook", fragments: false)
        if failure == nil && !h.anyResult { return }
        if failure != nil { try Self.checkAfterwards(f, before, file, "hook") }
    }
}
