import Foundation
import OrderCore
import Testing

/// A hook stopped by a limit leaves the shop working: its command rolls back and the write lock
/// is released at once, so another process's command goes through.
@Suite struct SandboxProcessTests {
    /// A hook that spends seconds in few instructions (each compares 10 MB): only the deadline
    /// (5 s by default) stops it, while it holds the database's write lock.
    static let slowHook = """
        oe.on('order.created', function(ev)
          local a, b = string.rep('x', 1e7), string.rep('x', 1e7 - 1) .. 'x'
          while true do local _ = a == b end
        end)
        """

    @Test func whileOneProcessesHookRunsIntoTheDeadlineAnotherProcessTakesOrders() throws {
        let db = try OE.tempDatabase()
        let workflow = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("slow.lua").path
        try Self.slowHook.write(toFile: workflow, atomically: true, encoding: .utf8)
        #expect(try OE.run(["call", "order.count", "--db", db]).status == 0) // creates the file
        let stuck = try OE.start(["call", "order.create", OE.orderParams, "--db", db, "--workflow", workflow])
        Thread.sleep(forTimeInterval: 1) // the first process is inside its hook, holding the write lock
        let started = ContinuousClock.now
        let second = OE.wait(try OE.start(["call", "order.create", OE.orderParams, "--db", db, "--compact"]))
        let waited = started.duration(to: .now)
        let first = OE.wait(stuck)
        #expect(first.status == ErrorCode.script.rawValue, "\(first.stderr)")
        #expect(first.stderr.contains("deadline of 5 seconds exceeded"), "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(waited < .seconds(5 + 1), "the second process waited \(waited)")
        #expect(try JSONParser.parse(second.stdout)["order"] != nil)
        #expect(try JSONParser.parse(try OE.run(["call", "order.count", "--db", db, "--compact"]).stdout)["count"] == 1)
    }

    @Test func oeRunTimeoutStopsTheScript() throws {
        let db = try OE.tempDatabase()
        let script = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("slow.lua").path
        try "local a, b = string.rep('x', 1e7), string.rep('x', 1e7 - 1) .. 'x' while true do local _ = a == b end"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let r = try OE.run(["run", script, "--db", db, "--timeout", "1"])
        #expect(r.status == ErrorCode.script.rawValue)
        #expect(r.stderr.contains("deadline of 1 second exceeded"), "\(r.stderr)")
        #expect(started.duration(to: .now) < .seconds(4))
        let bad = try OE.run(["run", script, "--db", db, "--timeout=-1"])
        #expect(bad.status == ErrorCode.invalid.rawValue, "\(bad.stderr)")
    }
}
