import Foundation
import OrderCore
import OrderEngineC
import Testing

/// `"limits": {"seconds": N}` in the C config: the wall-clock deadline of every command's hooks
/// and of every `oe_script_eval`.
@Suite struct CABILimitsTests {
    @Test func theSecondsLimitStopsAnEvaluation() throws {
        var engine: OpaquePointer?
        #expect(oeOpen(":memory:", #"{"limits":{"seconds":1,"instructions":0}}"#, &engine) == 0)
        defer { _ = oeClose(engine) }
        var out: UnsafeMutablePointer<CChar>?
        let started = ContinuousClock.now
        let slow = "local a, b = string.rep('x', 1e7), string.rep('x', 1e7 - 1) .. 'x' while true do local _ = a == b end"
        #expect(oeScriptEval(engine, slow, &out) == 5) // OE_SCRIPT
        #expect(String(cString: oeErrmsg(engine)!).contains("deadline of 1 second exceeded"))
        #expect(started.duration(to: .now) < .seconds(4))
        #expect(oeScriptEval(engine, "return 6 * 7", &out) == 0)
        oeFree(out)
        var bad: OpaquePointer?
        #expect(oeOpen(":memory:", #"{"limits":{"seconds":-1}}"#, &bad) == 2) // OE_INVALID
        #expect(bad == nil)
    }
}
