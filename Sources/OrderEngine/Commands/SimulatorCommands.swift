import OrderCore

/// `gateway.simulate`: tells the built-in simulated gateway (and carrier) how to answer.
/// Registered only when the engine runs on the simulators (tests, demo, benchmarks); `not_found`
/// while a host's own gateway answers instead (`gateway` returns nil).
enum SimulatorCommands {
    static func register(in r: inout CommandRegistry, gateway current: @escaping @Sendable () -> SimulatedGateway?, carrier: SimulatedCarrier?) {
        r.register(Command("gateway.simulate", .read, "simulator only: make the gateway approve, decline, report expiry or fail for an order", run: { ctx, p in
            guard let gateway = current() else {
                throw OrderError.notFound("gateway.simulate: the simulated gateway is not in use (a host payment port answers)")
            }
            if let failing = try p.bool("carrier_failing") {
                guard let carrier else { throw OrderError(.misuse, "carrier_failing: the engine does not use the simulated carrier") }
                carrier.setFailing(failing)
            }
            var set: JSON = .null
            if let n = try p.int("order", in: 1...Int64.max) {
                let op = try p.choice("operation", ["capture", "refund", "void"]) ?? "capture"
                guard let b = try p.choice("behaviour", SimulatedGateway.Behaviour.allCases.map(\.rawValue)) else {
                    throw OrderError.invalid("behaviour", "is required with order")
                }
                gateway.setBehaviour(SimulatedGateway.Behaviour(rawValue: b)!, order: n, operation: GatewayRequest.Operation(rawValue: op)!)
                set = ["order": .int(n), "operation": .string(op), "behaviour": .string(b)]
            }
            try p.finish()
            return ["ok": true, "set": set]
        }))
    }
}
