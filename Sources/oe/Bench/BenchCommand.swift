import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript

/// `oe bench`: benchmarks (figures for notes and regressions, not pass/fail tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks of the engine (figures, not pass/fail tests).",
        subcommands: [LifecycleBench.self, MassUpdateBench.self, FindBench.self, HooksBench.self, JSONBench.self, PostgresFloorBench.self,
                      RenderBench.self],
        defaultSubcommand: LifecycleBench.self)
}

/// `oe bench hooks`: event dispatch to a Lua hook against a raw lua_pcallk.
struct HooksBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "Cost of dispatching an event to a Lua hook, against a raw lua_pcallk of an empty function.")

    @Option(name: .long, help: "Calls of each kind.")
    var iterations: Int = 100_000

    func run() throws {
        do {
            let engine = try Engine(path: ":memory:", configuration: .simulated())
            let host = try LuaHost(engine: engine)
            _ = try DispatchBenchmark.run(host: host, iterations: min(iterations, 2_000))  // warm up
            let b = try DispatchBenchmark.run(host: host, iterations: iterations)
            func f(_ x: Double) -> String { String(Int((x * 10).rounded())).dropLastDigit }
            print("raw lua_pcallk (empty function)     \(f(b.rawPcallNs)) ns")
            print("dispatch, hook not reading the order \(f(b.eventOnlyNs)) ns  (\(ratio(b.eventOnlyNs, b.rawPcallNs)) × raw)")
            print("dispatch, hook reading ev.order.*     \(f(b.dispatchNs)) ns  (\(ratio(b.dispatchNs, b.rawPcallNs)) × raw)")
            print("building the order value (order.get)  \(f(b.buildOrderNs)) ns")
            print("loading + converting the order = \(f(b.dispatchNs - b.eventOnlyNs)) ns")
        } catch {
            printError(error.description)
            throw ExitCode(error.code.rawValue)
        }
    }

    private func ratio(_ a: Double, _ b: Double) -> String {
        let r = (a / b * 10).rounded() / 10
        return "\(r)"
    }
}

private extension String {
    /// "1234" (tenths) → "123.4".
    var dropLastDigit: String { count <= 1 ? "0.\(self)" : "\(dropLast()).\(last!)" }
}
