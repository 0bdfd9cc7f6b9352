import OrderCore

/// What the engine asks a payment gateway to do.
public struct GatewayRequest: Sendable, Equatable {
    /// `capture`, `refund` or `void`.
    public enum Operation: String, Sendable { case capture, refund, void }

    public var operation: Operation
    public var order: Int64
    public var amount: Int64
    public var currency: String
    /// Payment method of the authorisation (`visa`, `mobilepay`, …).
    public var method: String
    /// The checkout's reference of the authorisation the operation belongs to.
    public var authorizationReference: String?
    /// Recorded in the engine's database before this request was made; the gateway must treat
    /// a repeated key as the same operation and answer with the first outcome.
    public var idempotencyKey: String
    /// For `void` only: release just `amount` and keep the rest of the authorisation valid (a
    /// partial void, sent only to a gateway whose `supportsPartialVoid` is true). `false`: the
    /// void releases what the authorisation still holds (`amount`).
    public var partial: Bool

    public init(operation: Operation, order: Int64, amount: Int64, currency: String, method: String,
                authorizationReference: String?, idempotencyKey: String, partial: Bool = false) {
        self.partial = partial
        self.operation = operation
        self.order = order
        self.amount = amount
        self.currency = currency
        self.method = method
        self.authorizationReference = authorizationReference
        self.idempotencyKey = idempotencyKey
    }

    /// The request as a port callback gets it; `"partial": true` only on a partial void (so
    /// hosts written before partial voids see the same requests as before).
    public var json: JSON {
        var o: JSONObject = [
            "operation": .string(operation.rawValue), "order": .int(order), "amount": .int(amount), "currency": .string(currency),
            "method": .string(method), "authorization_reference": .optional(authorizationReference),
            "idempotency_key": .string(idempotencyKey),
        ]
        if partial { o["partial"] = true }
        return .object(o)
    }
}

/// A gateway's definite answer.
public enum GatewayOutcome: Sendable, Equatable {
    /// Done; `reference` is the gateway's transaction id.
    case approved(reference: String)
    /// Refused (insufficient funds, card blocked, …).
    case declined(reason: String)
    /// The authorisation is no longer valid at the gateway.
    case authorizationExpired
}

/// The payment gateway port: capture, refund and void of authorised card and wallet payments.
///
/// Contract: `perform` either returns a definite outcome or throws when the outcome is unknown
/// (network failure, timeout). After a throw the engine asks `lookup` with the same key; it must
/// return the outcome if the gateway received the request, `nil` if it never did, and throw if
/// it cannot tell now (the effect then stays pending until `payment.reconcile`).
/// Implementations must be thread-safe.
///
/// Identity: every pending effect records the `identity` of the gateway it was sent to, and
/// only a gateway with the same identity resolves it (`payment.reconcile` never asks another
/// gateway — a simulator asked about a real gateway's capture would answer "never received",
/// and the money would be drawn twice). `nil` means no gateway is configured: commands that
/// need one fail with `port` before anything is recorded.
public protocol PaymentGateway: Sendable {
    func perform(_ request: GatewayRequest) throws -> GatewayOutcome
    func lookup(idempotencyKey: String) throws -> GatewayOutcome?
    /// The name recorded with each effect sent to this gateway, or `nil` when there is no
    /// gateway. The same real gateway must answer the same name in every process (e.g.
    /// "nets-live"); two gateways that do not share their records must not.
    var identity: String? { get }
    /// Whether the gateway can release part of an authorisation and keep the rest valid (a
    /// `void` with `partial` true). With it, `order.edit` releases the surplus of a lowered
    /// total at once; without it (the default), the surplus stays reserved and the capture
    /// simply takes less.
    var supportsPartialVoid: Bool { get }
}

extension PaymentGateway {
    /// Default: partial voids are not supported (gateways written before the capability keep
    /// working unchanged).
    public var supportsPartialVoid: Bool { false }
}

/// A port implementation that can stand in for the built-in gateway simulator at run time (a
/// C host's port: its callback when set, the simulator when the host asked for one).
public protocol SimulatorBacked: Sendable {
    /// The simulator answering now, or nil when a host gateway (or none) is in use: then
    /// `gateway.simulate` is `not_found`.
    var gatewaySimulator: SimulatedGateway? { get }
}
