import OrderCore
import OrderStore

/// What an engine is built from: its ports, durability, and the workflow hooks.
///
/// The defaults are **no** gateway, carrier or mailer (`Unconfigured`: a command that needs
/// one fails with `port` saying how to configure it) and the system clock. A shop's host
/// plugs in its real ports; tests, demos and benchmarks ask for the simulators with
/// `EngineConfiguration.simulated()`.
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
    /// SQLite: how long a write waits for another process's write lock before it fails with
    /// `storage` (SQLite's busy timeout; 30 s by default). PostgreSQL waits for row locks as the
    /// server's `lock_timeout` says: set it in the URL (`options=-c%20lock_timeout%3D5s`).
    public var busyTimeoutSeconds: Double = 30
    /// Workflow scripts to load at every open, in order (a host gets its workflow each time).
    /// Needs `scriptHost`; an error in a file fails the open with `file:line`.
    public var workflows: [String] = []
    /// Creates the script host that loads `workflows` and installs itself as the engine's
    /// hooks. OrderScript provides it (`LuaHost.factory()`); the engine knows no Lua itself.
    public var scriptHost: (@Sendable (Engine, [String]) throws -> Void)?

    public init(clock: any Clock = SystemClock(), gateway: any PaymentGateway = Unconfigured.Gateway(),
                carrier: any Carrier = Unconfigured.Carrier(), mailer: any Mailer = Unconfigured.Mailer(),
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

extension EngineConfiguration {
    /// A configuration on the built-in simulated gateway, carrier and mailer (for tests, the
    /// demo and benchmarks; never for a shop taking real money).
    public static func simulated(clock: any Clock = SystemClock(), durability: Durability = .full,
                                 defaultActor: String = "api") -> EngineConfiguration {
        EngineConfiguration(clock: clock, gateway: SimulatedGateway(), carrier: SimulatedCarrier(), mailer: SimulatedMailer(),
                            durability: durability, defaultActor: defaultActor)
    }
}
