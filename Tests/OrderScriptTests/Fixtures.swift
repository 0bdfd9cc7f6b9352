import OrderCore
import OrderEngine
@testable import OrderScript

/// An engine on `:memory:` with a manual clock, the simulators, and a Lua host.
struct ScriptFixture {
    let engine: Engine
    let host: LuaHost
    let clock: ManualClock
    let gateway: SimulatedGateway

    init(limits: ScriptLimits = ScriptLimits()) throws {
        clock = ManualClock(Timestamp(year: 2026, month: 11, day: 23, hour: 8))
        gateway = SimulatedGateway()
        engine = try Engine(path: TestDatabase.location(":memory:"), configuration: EngineConfiguration(
            clock: clock, gateway: gateway, carrier: SimulatedCarrier(), mailer: SimulatedMailer()))
        host = try LuaHost(engine: engine, limits: limits)
        host.logSink = { _ in }
        try host.enableTestMode(clock: clock)
    }
}
