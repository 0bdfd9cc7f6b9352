import Histogram

/// Latencies per command name, for p50/p99 in benchmark reports.
///
/// One HdrHistogram per command (3 significant digits, 1 ns to 60 s): constant memory however
/// many calls are timed, where keeping every sample cost 56 MB over a million orders.
struct LatencyStats {
    private var histograms: [String: Histogram<UInt64>] = [:]
    private var order: [String] = []

    mutating func add(_ name: String, nanoseconds: Int64) {
        if histograms[name] == nil {
            order.append(name)
            histograms[name] = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        }
        _ = histograms[name]!.record(UInt64(max(1, min(nanoseconds, 60_000_000_000))))
    }

    /// Lines `  command  p50 µs  p99 µs  count`.
    func report(indent: String = "  ") -> String {
        let width = max(order.map(\.count).max() ?? 0, 7)
        var lines = [indent + "command".padding(width) + "     p50 µs     p99 µs      calls"]
        for name in order {
            let h = histograms[name]!
            func q(_ p: Double) -> String { String(format2: Double(h.valueAtPercentile(p)) / 1000).leftPadding(11) }
            lines.append(indent + name.padding(width) + q(50) + q(99) + String(h.totalCount).leftPadding(11))
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
