import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript

/// `oe run SCRIPT.lua`: runs a Lua script against a shop database with workflows loaded.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script (a bulk job, a report) against the database, with workflows loaded.",
        discussion: "The script sees the sandboxed `oe` API (docs/lua-api.md). Its return value, if any, is printed as JSON.")

    @Argument(help: "The Lua script to run.")
    var script: String

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Instruction budget of the script itself (0 = unlimited); hooks keep the per-command budget.")
    var budget: Int64 = 0

    @Option(name: .long, help: "Wall-clock seconds the script may run, including the hooks of the commands it calls (0 = no limit); each command's hooks keep their own 5 s.")
    var timeout: Double = 0

    func run() throws {
        do {
            if let out = try execute() { print(out) }
        } catch {
            printError(error.description)
            throw ExitCode(error.code.rawValue)
        }
    }

    private func execute() throws(OrderError) -> String? {
        var limits = ScriptLimits()
        limits.scriptInstructions = budget
        guard timeout >= 0, timeout.isFinite else { throw OrderError.invalid("--timeout", "must be 0 or more seconds") }
        limits.scriptMaxSeconds = timeout
        let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite", scripting: true, limits: limits)
        guard let host = engine.luaHost else { throw OrderError(.misuse, "no Lua host") }
        let source = try FileReader.read(script)
        let result = try host.eval(source, chunkname: "@" + script)
        if result.isNull { return nil }
        return Environment.stdoutIsTerminal ? result.prettyText : result.compactText
    }
}
