import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript
import OrderStore
import PostgresClient
#if canImport(Glibc)
import Glibc
#endif

/// One run of the benchmark's lifecycle on one engine: create (3 lines) → authorize →
/// processing → ship → hand over (the workflow captures; invoice) → shipped, and a credit note
/// for every tenth order, batched (`batch` orders per transaction, the credit notes in one more)
/// or interactive (one transaction per command). The same for SQLite and PostgreSQL, and for
/// each client process of `--clients`.
struct LifecycleRun {
    /// The database: an SQLite path or a `postgresql://` URL.
    let location: String
    let orders: Int
    /// Orders per transaction; nil for interactive mode.
    let batch: Int?
    let workflow: String
    let durability: Durability
    /// Sets the seller first (a fresh database); a client of a shared one leaves that to the parent.
    var setSeller = true
    /// Waits until this CLOCK_MONOTONIC instant (ns) after opening the engine, so that client
    /// processes start their work together.
    var startAt: Int64?

    /// What a run measured.
    struct Result {
        var orders: Int
        var startNs: Int64
        var endNs: Int64
        /// Write transactions the engine made.
        var writes: Int
        /// Round trips to PostgreSQL the run made (0 on SQLite).
        var roundTrips: Int
        /// CPU seconds (user + system) this process spent on the run: what the engine itself
        /// costs, as against waiting for the database.
        var cpuSeconds: Double = 0
        var stats: LatencyStats
        var seconds: Double { Double(endNs - startNs) / 1e9 }
        var rate: Double { Double(orders) / seconds }
    }

    /// The seller every benchmark shop invoices as.
    static let seller: JSON = ["seller": ["name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]]

    /// Opens an engine on `location` with the workflow and the benchmark's simulators.
    static func engine(_ location: String, workflow: String, durability: Durability) throws -> Engine {
        var config = BenchSupport.configuration(durability: durability)
        config.workflows = [workflow]
        config.scriptHost = LuaHost.factory()
        return try Engine(path: location, configuration: config)
    }

    /// Runs the lifecycle for `orders` orders; throws when the workflow did not capture them
    /// (checked only when this run owns the database: `setSeller`).
    func run() throws -> Result {
        let engine = try LifecycleRun.engine(location, workflow: workflow, durability: durability)
        defer { engine.close() }
        if setSeller { _ = try engine.call("settings.set", LifecycleRun.seller) }
        if let startAt { while BenchSupport.nowNs() < startAt { usleep(1000) } }
        let writesBefore = engine.store.writeTransactionCount
        let tripsBefore = PostgresConnection.roundTrips
        let cpuBefore = BenchSupport.cpuSeconds()
        var stats = LatencyStats()
        let start = BenchSupport.nowNs()
        var done = 0
        var lastReport = start
        while done < orders {
            let count = batch.map { min($0, orders - done) } ?? 1
            let first = done + 1
            if batch != nil {
                var credited: [JSON] = []
                try engine.transaction(actor: "bench") { ctx in
                    credited = []  // the PostgreSQL store re-runs a body after a serialization failure
                    for k in 0..<count {
                        let number = try lifecycle(Int64(first + k), stats: &stats) { try ctx.call($0, $1) }
                        if (first + k) % 10 == 0 { credited.append(number) }
                    }
                }
                // Credit notes need the invoices, which captures issue after the commit.
                try engine.transaction(actor: "bench") { ctx in
                    for number in credited { try creditNote(number, stats: &stats) { try ctx.call($0, $1) } }
                }
            } else {
                let number = try lifecycle(Int64(first), stats: &stats) { try engine.call($0, $1, actor: "bench") }
                if first % 10 == 0 { try creditNote(number, stats: &stats) { try engine.call($0, $1, actor: "bench") } }
            }
            done += count
            if BenchSupport.nowNs() - lastReport > 5_000_000_000 {
                lastReport = BenchSupport.nowNs()
                printError("  … \(done) orders, \(Int(Double(done) / (Double(lastReport - start) / 1e9))) orders/s")
            }
        }
        let end = BenchSupport.nowNs()
        let cpu = BenchSupport.cpuSeconds() - cpuBefore
        let trips = PostgresConnection.roundTrips - tripsBefore
        if setSeller { try LifecycleRun.checkCaptured(engine, orders: orders) }
        return Result(orders: orders, startNs: start, endNs: end, writes: engine.store.writeTransactionCount - writesBefore,
                      roundTrips: trips, cpuSeconds: cpu, stats: stats)
    }

    /// Throws unless `orders` orders of the engine's database ended captured (or refunded by
    /// their credit note): the workflow ran as expected.
    static func checkCaptured(_ engine: Engine, orders: Int) throws {
        let captured = try engine.call("order.count", ["payment_state": "captured"])["count"]?.intValue ?? 0
        let refunded = try engine.call("order.count", ["payment_state": ["refunded", "partially_refunded"]])["count"]?.intValue ?? 0
        guard captured + refunded == Int64(orders) else {
            throw ValidationError("only \(captured + refunded) of \(orders) orders ended captured: the workflow did not run as expected")
        }
    }

    private static let lines: JSON = [
        ["sku": "KAF", "name": "Kaffe 1 kg", "qty": 2, "unit_price": 17900],
        ["sku": "KRUS", "name": "Krus", "qty": 1, "unit_price": 12900],
        ["sku": "FILTER", "name": "Filterposer", "qty": 3, "unit_price": 3900],
    ]
    private static let methods: [JSON] = ["visa", "dankort", "mobilepay", "mastercard"]

    /// The lifecycle of the `n`th order of this run; returns the order's number (with several
    /// clients on one database it is not `n`).
    private func lifecycle(_ n: Int64, stats: inout LatencyStats, _ call: (String, JSON) throws -> JSON) throws -> JSON {
        func timed(_ name: String, _ p: JSON) throws -> JSON {
            let t = BenchSupport.nowNs()
            let r = try call(name, p)
            stats.add(name, nanoseconds: BenchSupport.nowNs() - t)
            return r
        }
        let o = try timed("order.create", [
            "customer": ["name": .string("Kunde \(n)"), "email": .string("kunde\(n)@example.dk"),
                         "delivery_address": ["street": .string("Vej \(n)"), "postal_code": "8000", "city": "Aarhus C"]],
            "lines": LifecycleRun.lines, "delivery": ["method": "shipping", "carrier": "GLS"],
        ])
        let number = o["order"] ?? .int(n)
        _ = try timed("payment.authorize", ["order": number, "amount": o["total"] ?? 0, "method": LifecycleRun.methods[Int(n % 4)]])
        _ = try timed("order.set_status", ["order": number, "status": "processing"])
        let s = try timed("shipment.create", ["order": number])
        _ = try timed("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
        _ = try timed("order.set_status", ["order": number, "status": "shipped"])
        return number
    }

    private func creditNote(_ number: JSON, stats: inout LatencyStats, _ call: (String, JSON) throws -> JSON) throws {
        let t = BenchSupport.nowNs()
        _ = try call("credit_note.create", ["order": number, "lines": [["sku": "KRUS", "qty": 1]], "reason": "retur"])
        stats.add("credit_note.create", nanoseconds: BenchSupport.nowNs() - t)
    }
}
