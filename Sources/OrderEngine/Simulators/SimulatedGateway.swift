import OrderCore
import OrderStore
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
        var ledger: KeyedMemory<(GatewayRequest, GatewayOutcome)>
        var counter = 0
    }

    private let state: Locked<State>
    /// The durable bank ledger, when the simulator keeps one (crash tests).
    private let durable: GatewayLedgerStore?
    private let ledgerIdentity: String?

    /// A simulator that keeps its ledger in memory: every key, or with `retainKeys` only the
    /// most recent ones (a forgotten key is answered as never received; for long benchmarks).
    public init(retainKeys: Int? = nil) {
        state = Locked(State(ledger: KeyedMemory(capacity: retainKeys)))
        durable = nil
        ledgerIdentity = nil
    }

    /// A simulator whose ledger (the bank's view) is a SQLite file at `ledgerPath`, committed
    /// before each answer, so it survives a crash of the engine's process.
    public init(ledgerPath: String) throws(OrderError) {
        state = Locked(State(ledger: KeyedMemory(capacity: nil)))
        durable = try GatewayLedgerStore(path: ledgerPath)
        ledgerIdentity = "simulator-ledger:" + ledgerPath
    }

    /// Sets how `operation` on `order` is answered from now on.
    public func setBehaviour(_ b: Behaviour, order: Int64, operation: GatewayRequest.Operation) {
        state.withLock { $0.behaviour["\(order)/\(operation.rawValue)"] = b }
    }

    public func perform(_ r: GatewayRequest) throws -> GatewayOutcome {
        if let durable { return try performDurably(r, durable) }
        return try state.withLock { s in
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
            s.ledger.insert(r.idempotencyKey, (r, outcome))
            return outcome
        }
    }

    /// `simulator`, or `simulator-ledger:<path>` for one with a durable ledger: effects a
    /// simulator made are resolved only by a simulator that remembers the same keys.
    public var identity: String? { ledgerIdentity ?? "simulator" }

    /// The simulator releases part of an authorisation when asked (`partial` voids).
    public var supportsPartialVoid: Bool { true }

    public func lookup(idempotencyKey: String) throws -> GatewayOutcome? {
        if let durable {
            guard let found = try durable.find(key: idempotencyKey) else { return nil }
            return SimulatedGateway.outcome(found)
        }
        return state.withLock { $0.ledger[idempotencyKey]?.1 }
    }

    private func performDurably(_ r: GatewayRequest, _ ledger: GatewayLedgerStore) throws -> GatewayOutcome {
        if let found = try ledger.find(key: r.idempotencyKey) { return SimulatedGateway.outcome(found) }
        let behaviour = state.withLock { $0.behaviour["\(r.order)/\(r.operation.rawValue)"] ?? .approve }
        let (outcome, detail): (String, String?) = switch behaviour {
        case .approve: ("approved", "sim-\(r.operation.rawValue)-\(r.order)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))")
        case .decline: ("declined", "declined by the card issuer (simulated)")
        case .expired: ("expired", nil)
        case .fail: throw PortFailure("payment gateway unreachable (simulated)")
        }
        return SimulatedGateway.outcome(try ledger.record(key: r.idempotencyKey, order: r.order, operation: r.operation.rawValue,
                                                          amount: r.amount, outcome: outcome, detail: detail))
    }

    private static func outcome(_ found: (outcome: String, detail: String?)) -> GatewayOutcome {
        switch found.outcome {
        case "approved": .approved(reference: found.detail ?? "")
        case "expired": .authorizationExpired
        default: .declined(reason: found.detail ?? "declined")
        }
    }

    /// Approved amounts per operation for `order` (the bank's view, of the keys remembered), for tests.
    public func approvedTotal(order: Int64, operation: GatewayRequest.Operation) -> Int64 {
        state.withLock { s in
            s.ledger.all.reduce(0) { sum, e in
                if e.0.order == order, e.0.operation == operation, case .approved = e.1 { return sum + e.0.amount }
                return sum
            }
        }
    }

    /// The approved requests for `order` (of the keys remembered, in memory only), for tests:
    /// one per gateway call, with its authorisation reference, method and key.
    public func approvedRequests(order: Int64) -> [GatewayRequest] {
        state.withLock { s in
            s.ledger.all.compactMap { e in
                if e.0.order == order, case .approved = e.1 { return e.0 }
                return nil
            }
        }
    }

    /// How many requests with distinct keys reached the simulator and were approved (of the keys remembered).
    public var approvedCount: Int {
        state.withLock { s in s.ledger.all.filter { if case .approved = $0.1 { true } else { false } }.count }
    }
}
