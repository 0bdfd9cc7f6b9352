import OrderCore
import Synchronization

/// A payment gateway that lives in memory: it approves by default and can be told, per order
/// and per operation, to decline, report an expired authorisation, or fail (throw, as a network
/// error would; the request is then *not* received, so `lookup` answers nil).
///
/// It keeps its own ledger by idempotency key (the bank's view): a repeated key returns the
/// first outcome and never moves money twice. For tests, the demo and benchmarks.
public final class SimulatedGateway: PaymentGateway {
    /// What the simulator does with an operation.
    public enum Behaviour: String, Sendable, CaseIterable {
        case approve, decline, expired, fail
    }

    private struct State {
        var behaviour: [String: Behaviour] = [:]  // "<order>/<operation>"
        var ledger: [String: (GatewayRequest, GatewayOutcome)] = [:]
        var counter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets how `operation` on `order` is answered from now on.
    public func setBehaviour(_ b: Behaviour, order: Int64, operation: GatewayRequest.Operation) {
        state.withLock { $0.behaviour["\(order)/\(operation.rawValue)"] = b }
    }

    public func perform(_ r: GatewayRequest) throws -> GatewayOutcome {
        try state.withLock { s in
            if let done = s.ledger[r.idempotencyKey] { return done.1 }
            let outcome: GatewayOutcome
            switch s.behaviour["\(r.order)/\(r.operation.rawValue)"] ?? .approve {
            case .approve:
                s.counter += 1
                outcome = .approved(reference: "sim-\(r.operation.rawValue)-\(r.order)-\(s.counter)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))")
            case .decline: outcome = .declined(reason: "declined by the card issuer (simulated)")
            case .expired: outcome = .authorizationExpired
            case .fail: throw PortFailure("payment gateway unreachable (simulated)")
            }
            s.ledger[r.idempotencyKey] = (r, outcome)
            return outcome
        }
    }

    public func lookup(idempotencyKey: String) throws -> GatewayOutcome? {
        state.withLock { $0.ledger[idempotencyKey]?.1 }
    }

    /// Approved amounts per operation for `order` (the bank's view), for tests.
    public func approvedTotal(order: Int64, operation: GatewayRequest.Operation) -> Int64 {
        state.withLock { s in
            s.ledger.values.reduce(0) { sum, e in
                if e.0.order == order, e.0.operation == operation, case .approved = e.1 { return sum + e.0.amount }
                return sum
            }
        }
    }

    /// How many requests with distinct keys reached the simulator and were approved.
    public var approvedCount: Int {
        state.withLock { s in s.ledger.values.filter { if case .approved = $0.1 { true } else { false } }.count }
    }
}
