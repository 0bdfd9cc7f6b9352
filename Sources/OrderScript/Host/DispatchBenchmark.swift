import CLuaBridge
import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#endif

/// Figures for the cost of delivering an event to a Lua hook, against the floor of calling
/// an empty Lua function with `lua_pcallk` from C, measured in the same run.
public struct DispatchBenchmark: Sendable {
    /// Nanoseconds per `lua_pcallk` of an empty Lua function (from C).
    public var rawPcallNs: Double
    /// Nanoseconds per dispatch of an event to a hook that does not read the order's fields
    /// (encode, invoke, decode, the lazy order object, call).
    public var eventOnlyNs: Double
    /// Nanoseconds per dispatch to a hook that reads a field, which loads the order object.
    public var dispatchNs: Double
    /// Nanoseconds to build the order value (`order.get` inside a read transaction).
    public var buildOrderNs: Double

    /// Runs the measurement with `iterations` calls of each kind on `host`.
    public static func run(host: LuaHost, iterations: Int) throws(OrderError) -> DispatchBenchmark {
        guard let engine = host.engine else { throw OrderError(.misuse, "the engine is gone") }
        _ = try host.eval("oe.on('bench.event', function(ev) end) oe.on('bench.load', function(ev) return ev.order.status end)")
        let created = try engine.call("order.create", [
            "customer": ["name": "Bench Kunde", "email": "bench@example.dk"],
            "lines": [["sku": "A", "name": "Kaffe", "qty": 2, "unit_price": 17900],
                      ["sku": "B", "name": "Krus", "qty": 1, "unit_price": 12900],
                      ["sku": "C", "name": "Filter", "qty": 3, "unit_price": 3900]],
        ])
        let n = created["order"] ?? 1
        var order = JSON.null
        let buildNs = try time(iterations) { () throws(OrderError) in order = try engine.call("order.get", ["order": n]) }
        _ = order
        let withOrder: JSON = ["name": "bench.load", "order": n, "from": "received", "to": "processing"]
        let eventOnly: JSON = ["name": "bench.event", "order": n, "from": "received", "to": "processing"]
        let onlyNs = try time(iterations) { () throws(OrderError) in _ = try host.invoke("event", [eventOnly], context: nil) }
        let dispatchNs = try time(iterations) { () throws(OrderError) in _ = try host.invoke("event", [withOrder], context: nil) }
        let raw = host.lock.withLock { Double(oe_lua_bench_pcall(host.rawState, Int64(iterations))) / Double(iterations) }
        return DispatchBenchmark(rawPcallNs: raw, eventOnlyNs: onlyNs, dispatchNs: dispatchNs, buildOrderNs: buildNs)
    }

    private static func time(_ n: Int, _ body: () throws(OrderError) -> Void) throws(OrderError) -> Double {
        var a = timespec(), b = timespec()
        clock_gettime(CLOCK_MONOTONIC, &a)
        for _ in 0..<n { try body() }
        clock_gettime(CLOCK_MONOTONIC, &b)
        return Double((b.tv_sec - a.tv_sec) * 1_000_000_000 + (b.tv_nsec - a.tv_nsec)) / Double(n)
    }
}
