/// Latencies per command name, for p50/p99 in benchmark reports.
struct LatencyStats {
    private var samples: [String: [Int64]] = [:]
    private var order: [String] = []

    mutating func add(_ name: String, nanoseconds: Int64) {
        if samples[name] == nil { order.append(name) }
        samples[name, default: []].append(nanoseconds)
    }

    /// Lines `  command  p50 µs  p99 µs  count`.
    func report(indent: String = "  ") -> String {
        let width = max(order.map(\.count).max() ?? 0, 7)
        var lines = [indent + "command".padding(width) + "     p50 µs     p99 µs      calls"]
        for name in order {
            let s = samples[name]!.sorted()
            func q(_ p: Double) -> String {
                let v = Double(s[min(s.count - 1, Int(Double(s.count) * p))]) / 1000
                return String(format2: v).leftPadding(11)
            }
            lines.append(indent + name.padding(width) + q(0.5) + q(0.99) + String(s.count).leftPadding(11))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// A number with one decimal.
    init(format2 v: Double) {
        let r = (v * 10).rounded() / 10
        self = "\(r)"
    }
}
