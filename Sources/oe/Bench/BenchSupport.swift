import OrderCore
import OrderEngine
import OrderStore
#if canImport(Glibc)
import Glibc
#endif

/// Shared pieces of the benchmarks: timing, temporary folders, and filling a shop quickly.
enum BenchSupport {
    static func nowNs() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    static func temporaryFolder() -> String {
        var t = Array("/tmp/oe-bench-XXXXXX".utf8CString)
        return String(cString: mkdtemp(&t))
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// An engine configuration for a benchmark: the simulated gateway and carrier remember only
    /// the most recent 100,000 idempotency keys, so a run over a million orders measures the
    /// engine's memory, not the simulators' (every step of one order is far more recent).
    static func configuration(durability: Durability = .full) -> EngineConfiguration {
        EngineConfiguration(gateway: SimulatedGateway(retainKeys: 100_000), carrier: SimulatedCarrier(retainKeys: 100_000),
                            mailer: SimulatedMailer(), durability: durability, defaultActor: "bench")
    }

    /// CPU time (user + system) this process has used so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    static func peakRSSMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    static let names = ["Mette Jensen", "Lars Nielsen", "Sofie Hansen", "Anders Pedersen", "Camilla Andersen", "Peter Christensen",
                        "Emma Larsen", "Oliver Sørensen", "Ida Rasmussen", "Frederik Jørgensen", "Karen Madsen", "Niels Kristensen"]
    static let cities = ["Aarhus C", "København N", "Odense C", "Aalborg", "Esbjerg", "Roskilde", "Vejle", "Kolding"]

    /// Creates `count` authorised orders (status received) in transactions of 1,000.
    static func fill(_ engine: Engine, count: Int, progress: Bool = true) throws {
        var done = 0
        let start = nowNs()
        while done < count {
            let n = min(1000, count - done)
            try engine.transaction(actor: "bench") { ctx in
                for k in 0..<n {
                    let i = done + k
                    let name = names[i % names.count]
                    let o = try ctx.call("order.create", [
                        "customer": ["name": .string(name), "email": .string("kunde\(i)@example.dk"),
                                     "delivery_address": ["street": .string("Vej \(i % 500)"), "postal_code": .string(String(1000 + i % 9000)),
                                                          "city": .string(cities[i % cities.count])]],
                        "lines": [["sku": .string("SKU-\(i % 2000)"), "name": "Vare", "qty": 1, "unit_price": .int(Int64(1000 + i % 50_000))]],
                        "delivery": ["method": "shipping", "carrier": .string(["GLS", "PostNord", "DAO"][i % 3])],
                        "tags": i % 7 == 0 ? ["vip"] : [],
                    ])
                    _ = try ctx.call("payment.authorize", ["order": o["order"]!, "amount": o["total"]!, "method": "visa"])
                }
            }
            done += n
            if progress && done % 50_000 == 0 {
                printError("  … \(done) orders, \(Int(Double(done) / (Double(nowNs() - start) / 1e9))) orders/s")
            }
        }
    }
}
