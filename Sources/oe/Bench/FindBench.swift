import ArgumentParser
import OrderCore
import OrderEngine

/// `oe bench find`: filters, text search and keyset paging on a large shop.
struct FindBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "order.find / order.count with filters and full-text search on N orders.")

    @Option(name: .long, help: "Orders in the shop.")
    var orders: Int = 1_000_000

    @Option(name: .long, help: "Use this database (filled already) instead of filling a new one.")
    var db: String?

    func run() throws {
        let path = db ?? (BenchSupport.temporaryFolder() + "/find.sqlite")
        let engine = try Engine(path: path, configuration: BenchSupport.configuration())
        if db == nil {
            print("filling \(orders) orders in \(path) …")
            let start = BenchSupport.nowNs()
            try BenchSupport.fill(engine, count: orders)
            print("filled in \(String(format2: Double(BenchSupport.nowNs() - start) / 1e9)) s")
        }
        let total = try engine.call("order.count")["count"]?.intValue ?? 0
        print("\(total) orders; each query run 20 times, median:")
        let middle = max(1, total / 2)
        let queries: [(String, String, JSON)] = [
            ("first page of received (50)", "order.find", ["status": "received", "limit": 50]),
            ("a page in the middle, keyset", "order.find", ["status": "received", "limit": 50, "after": .string("\(middle):\(middle)")]),
            ("vip tag, GLS, first page", "order.find", ["tag": "vip", "carrier": "GLS", "limit": 50]),
            ("text: customer name", "order.find", ["text": "oliver sørensen", "limit": 50]),
            ("text: e-mail", "order.find", ["text": .string("kunde\(middle)@example.dk")]),
            ("text: sku", "order.find", ["text": "SKU-1234", "limit": 50]),
            ("text + status", "order.find", ["text": "aarhus", "status": "received", "limit": 50]),
            ("count received", "order.count", ["status": "received"]),
            ("count created in a day", "order.count", ["created_from": "2026-11-28", "created_to": "2026-11-29"]),
            ("authorisations expiring within 8 days", "payment.check", ["days": 8, "limit": 100]),
        ]
        for (name, command, params) in queries {
            var times: [Int64] = []
            var size = 0
            for _ in 0..<20 {
                let t = BenchSupport.nowNs()
                let r = try engine.call(command, params)
                times.append(BenchSupport.nowNs() - t)
                size = r["orders"]?.arrayValue?.count ?? r["authorizations"]?.arrayValue?.count ?? Int(r["count"]?.intValue ?? 0)
            }
            times.sort()
            print("  " + name.padding(40) + String(format2: Double(times[10]) / 1e6).leftPadding(9) + " ms   (\(size) rows)")
        }
        print("peak RSS \(BenchSupport.peakRSSMiB()) MiB")
    }
}
