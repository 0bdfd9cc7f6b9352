import OrderCore
import OrderEngine
import OrderStore

/// The payment port of a C host: its callback when set; else the built-in simulator when the
/// host opened with `"simulate": true`; else none (commands that need it fail with `port`).
final class HostGateway: PaymentGateway, SimulatorBacked {
    let slot = PortSlot(name: "payment")
    private let simulator: SimulatedGateway?
    /// The identity effects sent through the host's callback are recorded under.
    let hostName: String
    /// Whether the host's callback handles partial voids (oe_open's `"payment_partial_void"`).
    let hostPartialVoid: Bool

    /// `ledgerPath`: the simulator keeps its ledger (the bank's view) in that SQLite file,
    /// shared by every process that names it (oe_open's `"gateway_ledger"`; tests).
    init(simulate: Bool, name: String, partialVoid: Bool = false, ledgerPath: String? = nil) throws(OrderError) {
        if let ledgerPath { simulator = try SimulatedGateway(ledgerPath: ledgerPath) } else { simulator = simulate ? SimulatedGateway() : nil }
        hostName = name
        hostPartialVoid = partialVoid
    }

    /// The host's declaration while its callback is set (default false), the simulator's otherwise.
    var supportsPartialVoid: Bool { slot.isSet ? hostPartialVoid : simulator?.supportsPartialVoid ?? false }

    var gatewaySimulator: SimulatedGateway? { slot.isSet ? nil : simulator }

    /// The host's name while its callback is set, "simulator" while the simulator answers, nil
    /// when there is no gateway.
    var identity: String? { slot.isSet ? hostName : simulator?.identity }

    func perform(_ r: GatewayRequest) throws -> GatewayOutcome {
        if slot.isSet { return try HostGateway.outcome(slot.call(r.json)) }
        guard let simulator else { throw Unconfigured.error("payment gateway") }
        return try simulator.perform(r)
    }

    func lookup(idempotencyKey: String) throws -> GatewayOutcome? {
        if slot.isSet {
            let answer = try slot.call(["operation": "lookup", "idempotency_key": .string(idempotencyKey)])
            if answer["status"]?.stringValue == "unknown" { return nil }
            return try HostGateway.outcome(answer)
        }
        guard let simulator else { throw Unconfigured.error("payment gateway") }
        return try simulator.lookup(idempotencyKey: idempotencyKey)
    }

    static func outcome(_ j: JSON) throws(OrderError) -> GatewayOutcome {
        switch j["status"]?.stringValue {
        case "approved": return .approved(reference: j["reference"]?.stringValue ?? "")
        case "declined": return .declined(reason: j["reason"]?.stringValue ?? "declined")
        case "expired": return .authorizationExpired
        default: throw OrderError(.port, "payment port: the answer needs \"status\": approved, declined or expired; got \(j.compactText)")
        }
    }
}

/// The carrier port of a C host: its callback, the simulator when asked for, or none.
final class HostCarrier: Carrier {
    let slot = PortSlot(name: "carrier")
    private let simulator: SimulatedCarrier?

    init(simulate: Bool) { simulator = simulate ? SimulatedCarrier() : nil }

    func bookLabel(_ r: LabelRequest) throws -> Label {
        guard slot.isSet else {
            guard let simulator else { throw Unconfigured.error("carrier") }
            return try simulator.bookLabel(r)
        }
        let answer = try slot.call(r.json)
        guard let t = answer["tracking"]?.stringValue, !t.isEmpty else {
            throw OrderError(.port, "carrier port: the answer needs a \"tracking\" string")
        }
        return Label(tracking: t)
    }
}

/// The mail port of a C host: its callback, the simulator when asked for, or none.
final class HostMailer: Mailer {
    let slot = PortSlot(name: "mail")
    private let simulator: SimulatedMailer?

    init(simulate: Bool) { simulator = simulate ? SimulatedMailer() : nil }

    func send(_ m: OutboxMessage) throws {
        guard slot.isSet else {
            guard let simulator else { throw Unconfigured.error("mailer") }
            return try simulator.send(m)
        }
        _ = try slot.call(m.json)
    }
}

/// The clock of a C host, or the system clock.
final class HostClock: FallibleClock {
    let slot = PortSlot(name: "clock")
    let system = SystemClock()

    func now() -> Timestamp { (try? checkedNow()) ?? system.now() }

    func checkedNow() throws -> Timestamp {
        guard slot.isSet else { return system.now() }
        let answer = try slot.call([:])
        if let s = answer["now"]?.intValue { return Timestamp(seconds: s) }
        if let s = answer["now"]?.stringValue, let t = Timestamp(iso8601: s) { return t }
        throw OrderError(.port, "clock port: the answer needs \"now\" as ISO 8601 text or unix seconds")
    }
}
