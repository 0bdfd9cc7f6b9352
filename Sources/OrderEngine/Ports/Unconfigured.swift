import OrderCore
import OrderStore

/// The ports of an engine nobody configured: every use fails with `port` and says how to
/// configure a real one (or ask for the simulators). The default of `EngineConfiguration`, so
/// that a host that forgets to plug in its gateway never gets simulated "approved" captures.
public enum Unconfigured {
    /// How a host configures ports, for the error messages.
    static let howTo = "set one with oe_set_port() (C), set_port() (Lua, Python) or EngineConfiguration (Swift); "
        + "for tests and demos open with \"simulate\": true (oe: --simulate)"

    /// A payment gateway that is not there (`identity` nil).
    public struct Gateway: PaymentGateway {
        public init() {}
        public var identity: String? { nil }
        public func perform(_ request: GatewayRequest) throws -> GatewayOutcome { throw Unconfigured.error("payment gateway") }
        public func lookup(idempotencyKey: String) throws -> GatewayOutcome? { throw Unconfigured.error("payment gateway") }
    }

    /// A carrier that is not there: booking a label fails (manual and pickup shipments work).
    public struct Carrier: OrderEngine.Carrier {
        public init() {}
        public func bookLabel(_ request: LabelRequest) throws -> Label { throw Unconfigured.error("carrier") }
    }

    /// A mailer that is not there: delivering the outbox fails; messages stay queued.
    public struct Mailer: OrderEngine.Mailer {
        public init() {}
        public func send(_ message: OutboxMessage) throws { throw Unconfigured.error("mailer") }
    }

    /// The error of a missing port.
    public static func error(_ port: String) -> OrderError {
        OrderError(.port, "no \(port) is configured: \(howTo)")
    }
}
