import ArgumentParser
import OrderCore

/// `oe bench json`: the parser on large, hostile bodies (a web-facing host parses whatever
/// arrives): time must grow linearly with the size, and what exceeds a limit is refused fast.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "JSON parsing of large bodies (50 MB of small keys or lines; 80k keys; over the limits).")

    @Option(name: .long, help: "Size of the large bodies in MB.")
    var megabytes: Int = 50

    func run() throws {
        let size = megabytes * 1_000_000
        print("body                                        bytes      time      MB/s  outcome")
        row("object of 80,000 keys", Self.object(keys: 80_000))
        row("object of 100,000 keys (the limit)", Self.object(keys: JSONParser.maxKeysPerObject))
        row("\(megabytes) MB object of small keys (over the key limit)", Self.object(bytes: size))
        row("\(megabytes) MB array of small objects", Self.array(bytes: size))
        row("\(megabytes) MB of order lines", Self.lines(bytes: size))
        row("65 MB string (over the size limit)", "\"" + String(repeating: "x", count: JSONParser.maxBytes + 1000) + "\"")
    }

    private func row(_ name: String, _ text: String) {
        let bytes = Array(text.utf8)
        let start = BenchSupport.nowNs()
        let outcome: String
        do {
            let v = try JSONParser.parse(bytes: bytes)
            outcome = "ok (\(v.objectValue?.count ?? v.arrayValue?.count ?? 1) members)"
        } catch {
            outcome = "refused: " + String(error.message.prefix(60))
        }
        let s = Double(BenchSupport.nowNs() - start) / 1e9
        let mbps = Double(bytes.count) / 1e6 / s
        print(name.padding(42) + String(bytes.count).leftPadding(11) + (String(format2: s * 1000) + " ms").leftPadding(11)
              + String(Int(mbps)).leftPadding(9) + "  " + outcome)
    }

    static func object(keys: Int) -> String {
        var s = "{"
        s.reserveCapacity(keys * 16)
        for k in 0..<keys { s += (k == 0 ? "" : ",") + "\"k\(k)\":\(k)" }
        return s + "}"
    }

    static func object(bytes: Int) -> String {
        var s = "{"
        s.reserveCapacity(bytes + 32)
        var k = 0
        while s.utf8.count < bytes { s += (k == 0 ? "" : ",") + "\"k\(k)\":1"; k += 1 }
        return s + "}"
    }

    static func array(bytes: Int) -> String {
        var s = "["
        s.reserveCapacity(bytes + 64)
        var k = 0
        while s.utf8.count < bytes { s += (k == 0 ? "" : ",") + "{\"a\":\(k),\"b\":\"x\",\"c\":true}"; k += 1 }
        return s + "]"
    }

    static func lines(bytes: Int) -> String {
        var s = "{\"lines\":["
        s.reserveCapacity(bytes + 128)
        var k = 0
        while s.utf8.count < bytes {
            s += (k == 0 ? "" : ",") + "{\"sku\":\"SKU-\(k)\",\"name\":\"Kaffe \\u00e6\\u00f8\\u00e5\",\"qty\":2,\"unit_price\":17900,\"vat_rate\":2500}"
            k += 1
        }
        return s + "]}"
    }
}
