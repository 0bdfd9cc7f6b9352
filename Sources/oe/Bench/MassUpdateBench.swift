import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript

/// `oe bench mass-update`: a status change over N orders with the status e-mail queued for each
/// and a Lua hook on every change, as one `orders.mass_update`.
struct MassUpdateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mass-update", abstract: "orders.mass_update over N orders (received → shipped: the status e-mail queued and a Lua hook run per order).")

    @Option(name: .long, help: "Orders to update.")
    var orders: Int = 100_000

    @Option(name: .long, help: "Orders per transaction.")
    var batch: Int = 1000

    func run() throws {
        let folder = BenchSupport.temporaryFolder()
        let path = folder + "/mass-update.sqlite"
        var config = BenchSupport.configuration()
        config.scriptHost = LuaHost.factory()
        let engine = try Engine(path: path, configuration: config)
        try engine.luaHost?.eval("""
            changed = 0
            oe.on("order.status_changed", function(ev) if ev.to == "shipped" then changed = changed + 1 end end)
            """)
        print("filling \(orders) orders (received, notify on) in \(path) …")
        try BenchSupport.fill(engine, count: orders)
        let pendingBefore = try engine.call("outbox.list", ["limit": 1])["pending"]?.intValue ?? 0
        let start = BenchSupport.nowNs()
        let report = try engine.massUpdate(["filter": ["status": "received"], "action": ["set_status": "shipped"],
                                            "batch_size": .int(Int64(batch)), "report": "failures"])
        let seconds = Double(BenchSupport.nowNs() - start) / 1e9
        let pendingAfter = try engine.call("outbox.list", ["limit": 1])["pending"]?.intValue ?? 0
        let hooks = try engine.luaHost?.eval("return changed").intValue ?? 0
        print("mass update of \(report["selected"]?.intValue ?? 0) orders: \(String(format2: seconds)) s "
              + "(\(Int(Double(orders) / seconds)) orders/s); ok \(report["ok"]?.intValue ?? 0), failed \(report["failed"]?.intValue ?? 0); "
              + "e-mails queued \(pendingAfter - pendingBefore); hook runs \(hooks); peak RSS \(BenchSupport.peakRSSMiB()) MiB")
    }
}
