import OrderCore
import OrderStore

/// What an engine is built from: its ports, durability, and the workflow hooks.
///
/// The defaults are the built-in simulators (gateway, carrier, mailer) and the system clock —
/// right for the demo and tests; a shop's host replaces the ports with real ones.
public struct EngineConfiguration: Sendable {
    public var clock: any Clock
    public var gateway: any PaymentGateway
    public var carrier: any Carrier
    public var mailer: any Mailer
    public var durability: Durability
    /// Who is recorded as the actor when a call names none.
    public var defaultActor: String
    /// How deep hooks may nest command calls before the engine refuses (`misuse`).
    public var maxCallDepth: Int
    /// Workflow scripts to load at every open, in order (a host gets its workflow each time).
    /// Needs `scriptHost`; an error in a file fails the open with `file:line`.
    public var workflows: [String] = []
    /// Creates the script host that loads `workflows` and installs itself as the engine's
    /// hooks. OrderScript provides it (`LuaHost.factory()`); the engine knows no Lua itself.
    public var scriptHost: (@Sendable (Engine, [String]) throws -> Void)?

    public init(clock: any Clock = SystemClock(), gateway: any PaymentGateway = SimulatedGateway(),
                carrier: any Carrier = SimulatedCarrier(), mailer: any Mailer = SimulatedMailer(),
                durability: Durability = .full, defaultActor: String = "api", maxCallDepth: Int = 8) {
        self.clock = clock
        self.gateway = gateway
        self.carrier = carrier
        self.mailer = mailer
        self.durability = durability
        self.defaultActor = defaultActor
        self.maxCallDepth = maxCallDepth
    }
}
