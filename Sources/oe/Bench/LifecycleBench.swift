import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript
import OrderStore
#if canImport(Glibc)
import Glibc
#endif

/// `oe bench lifecycle`: the Danish lifecycle on a SQLite file with the default workflow's
/// hooks — create (3 lines) → authorize → processing → ship → hand over (the workflow
/// captures; invoice) → shipped, and a credit note for every tenth order — in batch mode
/// (group commit) and interactive mode (one transaction per command), each against its floor:
/// the same rows written with raw SQLite prepared statements in the same batching.
struct LifecycleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "The Danish order lifecycle with workflow hooks: orders/s, p50/p99 per command, peak RSS, and the raw-SQLite floor.",
        discussion: "The last line is: lifecycle <orders/s> orders/s; floor <orders/s> orders/s; ratio <r> (batch mode).")

    @Option(name: .long, help: "Orders in batch mode.")
    var orders: Int = 100_000

    @Option(name: .long, help: "Orders in interactive mode (0 skips it).")
    var interactiveOrders: Int = 5_000

    @Option(name: .long, help: "Orders per transaction in batch mode.")
    var batch: Int = 1000

    @Option(name: .long, help: "The workflow whose hooks run (default: the Danish one).")
    var workflow: String = "scripts/workflows/danish.lua"

    @Option(name: .long, help: "Folder for the benchmark databases (default: a new temporary folder).")
    var dir: String?

    @Option(name: .long, help: "full or normal.")
    var durability: String = "full"

    func run() throws {
        let folder = dir ?? BenchSupport.temporaryFolder()
        let full = durability == "full"
        print("OrderEngine lifecycle benchmark — \(orders) orders (batch), \(interactiveOrders) (interactive); SQLite files in \(folder); synchronous=\(full ? "FULL" : "NORMAL"); workflow \(workflow)")
        let (batchRate, batchDB) = try runEngine(folder + "/batch.sqlite", orders: orders, batched: true)
        let floorSeconds = try RawFloor(source: batchDB, target: folder + "/floor-batch.sqlite")
            .run(orders: orders, ordersPerTransaction: batch, synchronousFull: full)
        let floorRate = Double(orders) / floorSeconds
        print("floor (same rows, raw SQLite, \(batch) orders/transaction): \(Int(floorRate)) orders/s (\(fmt(floorSeconds)) s)")
        if interactiveOrders > 0 {
            let before = Self.writes
            let (rate, db) = try runEngine(folder + "/interactive.sqlite", orders: interactiveOrders, batched: false)
            let txPerOrder = max(1, Int((Double(Self.writes - before) / Double(interactiveOrders)).rounded()))
            let s = try RawFloor(source: db, target: folder + "/floor-interactive.sqlite")
                .run(orders: interactiveOrders, ordersPerTransaction: 1, transactionsPerOrder: txPerOrder, synchronousFull: full)
            let f = Double(interactiveOrders) / s
            print("floor (same rows, raw SQLite, \(txPerOrder) transactions/order as the engine): \(Int(f)) orders/s; ratio \(fmt(rate / f))")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak RSS: \(usage.ru_maxrss / 1024) MiB")
        print("lifecycle \(Int(batchRate)) orders/s; floor \(Int(floorRate)) orders/s; ratio \(fmt(batchRate / floorRate))")
    }

    /// Write transactions the engine runs made (to give the interactive floor as many).
    nonisolated(unsafe) static var writes = 0

    private func fmt(_ v: Double) -> String { String(format2: v) }

    /// Runs the lifecycle; returns orders/s and the database path.
    private func runEngine(_ path: String, orders: Int, batched: Bool) throws -> (Double, String) {
        BenchSupport.removeDatabase(path)
        var config = BenchSupport.configuration(durability: Durability(rawValue: durability) ?? .full)
        config.workflows = [workflow]
        config.scriptHost = LuaHost.factory()
        let engine = try Engine(path: path, configuration: config)
        _ = try engine.call("settings.set", ["seller": ["name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]])
        let writesBefore = engine.store.writeTransactionCount
        var stats = LatencyStats()
        let start = now()
        var done = 0
        var lastReport = start
        while done < orders {
            let count = batched ? min(batch, orders - done) : 1
            let first = done + 1
            if batched {
                try engine.transaction(actor: "bench") { ctx in
                    for k in 0..<count { try lifecycle(Int64(first + k), stats: &stats) { try ctx.call($0, $1) } }
                }
                // Credit notes need the invoices, which captures issue after the commit.
                try engine.transaction(actor: "bench") { ctx in
                    for k in 0..<count where (first + k) % 10 == 0 { try creditNote(Int64(first + k), stats: &stats) { try ctx.call($0, $1) } }
                }
            } else {
                try lifecycle(Int64(first), stats: &stats) { try engine.call($0, $1, actor: "bench") }
                if first % 10 == 0 { try creditNote(Int64(first), stats: &stats) { try engine.call($0, $1, actor: "bench") } }
            }
            done += count
            if now() - lastReport > 5 {
                lastReport = now()
                printError("  … \(done) orders, \(Int(Double(done) / (lastReport - start))) orders/s")
            }
        }
        let seconds = now() - start
        let captured = try engine.call("order.count", ["payment_state": "captured"])["count"]?.intValue ?? 0
        let refunded = try engine.call("order.count", ["payment_state": ["refunded", "partially_refunded"]])["count"]?.intValue ?? 0
        guard captured + refunded == Int64(orders) else {
            throw ValidationError("only \(captured + refunded) of \(orders) orders ended captured: the workflow did not run as expected")
        }
        Self.writes += engine.store.writeTransactionCount - writesBefore
        let rate = Double(orders) / seconds
        print(batched ? "batch (\(batch) orders/transaction): \(Int(rate)) orders/s (\(fmt(seconds)) s)"
                      : "interactive (one transaction per command): \(Int(rate)) orders/s (\(fmt(seconds)) s)")
        print(stats.report())
        engine.close()
        return (rate, path)
    }

    private static let lines: JSON = [
        ["sku": "KAF", "name": "Kaffe 1 kg", "qty": 2, "unit_price": 17900],
        ["sku": "KRUS", "name": "Krus", "qty": 1, "unit_price": 12900],
        ["sku": "FILTER", "name": "Filterposer", "qty": 3, "unit_price": 3900],
    ]
    private static let methods: [JSON] = ["visa", "dankort", "mobilepay", "mastercard"]

    private func lifecycle(_ n: Int64, stats: inout LatencyStats, _ call: (String, JSON) throws -> JSON) throws {
        func timed(_ name: String, _ p: JSON) throws -> JSON {
            let t = nowNs()
            let r = try call(name, p)
            stats.add(name, nanoseconds: nowNs() - t)
            return r
        }
        let o = try timed("order.create", [
            "customer": ["name": .string("Kunde \(n)"), "email": .string("kunde\(n)@example.dk"),
                         "delivery_address": ["street": .string("Vej \(n)"), "postal_code": "8000", "city": "Aarhus C"]],
            "lines": LifecycleBench.lines, "delivery": ["method": "shipping", "carrier": "GLS"],
        ])
        let number = o["order"] ?? .int(n)
        _ = try timed("payment.authorize", ["order": number, "amount": o["total"] ?? 0, "method": LifecycleBench.methods[Int(n % 4)]])
        _ = try timed("order.set_status", ["order": number, "status": "processing"])
        let s = try timed("shipment.create", ["order": number])
        _ = try timed("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
        _ = try timed("order.set_status", ["order": number, "status": "shipped"])
    }

    private func creditNote(_ n: Int64, stats: inout LatencyStats, _ call: (String, JSON) throws -> JSON) throws {
        let t = nowNs()
        _ = try call("credit_note.create", ["order": .int(n), "lines": [["sku": "KRUS", "qty": 1]], "reason": "retur"])
        stats.add("credit_note.create", nanoseconds: nowNs() - t)
    }

    private func now() -> Double { Double(nowNs()) / 1e9 }
    private func nowNs() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}
