import ArgumentParser
import OrderCore
import OrderEngine

/// `oe bench render`: `invoice.render` as PDF, HTML and UBL, per document (p50/p99).
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "invoice.render time per document as PDF, HTML and Peppol UBL (p50/p99); use a release build.")

    @Option(name: .long, help: "Invoices to issue and render (each rendered once per format, after a warm-up).")
    var documents: Int = 200

    func run() throws {
        let engine = try Engine(path: ":memory:", configuration: BenchSupport.configuration())
        _ = try engine.call("settings.set", ["seller": ["name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C",
                                                        "vat_number": "DK13585628"], "invoice_number_prefix": "F-"])
        let start = BenchSupport.nowNs()
        for i in 0..<documents { try Self.invoice(engine, i) }
        print("\(documents) invoices issued in \(String(format2: Double(BenchSupport.nowNs() - start) / 1e9)) s "
              + "(3 goods lines, one discounted, and a shipping fee each)")
        var stats = LatencyStats()
        var bytes: [String: Int64] = [:]
        let numbers = try engine.call("invoice.find", ["kind": "invoice", "limit": 1000])["documents"]?.arrayValue?
            .compactMap { $0["number"]?.intValue } ?? []
        for format in ["pdf", "html", "ubl"] {
            _ = try engine.call("invoice.render", ["number": .int(numbers[0]), "format": .string(format)])  // warm up
            for n in numbers {
                let t = BenchSupport.nowNs()
                let r = try engine.call("invoice.render", ["number": .int(n), "format": .string(format)])
                stats.add("invoice.render " + format, nanoseconds: BenchSupport.nowNs() - t)
                bytes[format, default: 0] += r["bytes"]?.intValue ?? 0
            }
        }
        print(stats.report())
        for f in ["pdf", "html", "ubl"] { print("  mean size \(f): \((bytes[f] ?? 0) / Int64(max(1, numbers.count))) bytes") }
        print("peak RSS \(BenchSupport.peakRSSMiB()) MiB")
    }

    /// One order to an invoice: created, authorised, shipped, handed over, captured.
    static func invoice(_ engine: Engine, _ i: Int) throws {
        let o = try engine.call("order.create", [
            "customer": ["name": .string(BenchSupport.names[i % BenchSupport.names.count]), "email": .string("kunde\(i)@example.dk"),
                         "billing_address": ["street": "Nørregade 3", "postal_code": "1165", "city": "København K"]],
            "lines": [["sku": "KAF", "name": "Kaffe 1 kg", "qty": 3, "unit_price": 17900],
                      ["sku": "KRUS", "name": "Krus med logo", "qty": 2, "unit_price": 9900],
                      ["sku": "FILTER", "name": "Kaffefiltre nr. 4", "qty": 1, "unit_price": 2500]],
            "fees": [["kind": "shipping", "name": "Fragt", "amount": 4900]],
            "discounts": [["name": "Sommerrabat", "percent": 1000, "lines": ["KAF"]]],
            "delivery": ["method": "shipping", "carrier": "GLS"],
        ])
        let n = o["order"]!
        _ = try engine.call("payment.authorize", ["order": n, "amount": o["total"]!, "method": "visa"])
        let s = try engine.call("shipment.create", ["order": n])
        _ = try engine.call("shipment.hand_over", ["shipment": s["shipment"]!])
        _ = try engine.call("payment.capture", ["order": n])
    }
}
