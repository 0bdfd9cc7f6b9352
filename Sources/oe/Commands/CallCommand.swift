import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript
import OrderStore

/// `oe call COMMAND 'JSON'`: runs one engine command and prints its JSON result.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Run one command (e.g. order.get) with JSON parameters; print the JSON result.",
        discussion: """
            On success the result is printed on stdout as JSON and the exit code is 0. On failure
            `error[<code>]: <message>` is printed on stderr and the exit code is the code's number
            (1 not_found, 2 invalid, 3 conflict, 4 policy, 5 script, 6 port, 7 storage, 8 misuse, 9 nomem);
            with --json the error is printed on stderr as one JSON object instead:
            {"code": 2, "code_name": "invalid", "message": "...", "field": "lines[0].qty"} (the shape of
            the C library's oe_errjson). Pass - as JSON to read the parameters from standard input.
            Payment captures, refunds and carrier labels need --simulate (or a host that plugs in real ports).
            """)

    @Argument(help: "The command, e.g. order.create, order.get, payment.capture (see `oe commands`).")
    var command: String

    @Argument(help: "Parameters as a JSON object (default {}); - reads them from standard input.")
    var params: String = "{}"

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Who is recorded as the actor in the order timeline.")
    var actor: String = "cli"

    @Flag(name: .long, help: "Print compact JSON even on a terminal.")
    var compact = false

    @Flag(name: .long, help: "Print an error as a JSON object {code, code_name, message, field} on stderr.")
    var json = false

    func run() throws {
        var text = params
        if text == "-" {
            var lines: [String] = []
            while let l = readLine(strippingNewline: false) { lines.append(l) }
            text = lines.joined()
        }
        do {
            print(try execute(text))
        } catch {
            printError(json ? ErrorJSON.of(error).compactText : error.description)
            throw ExitCode(error.code.rawValue)
        }
    }

    private func execute(_ text: String) throws(OrderError) -> String {
        let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
        let result = try engine.call(command, JSONParser.parse(text), actor: actor)
        return compact || !Environment.stdoutIsTerminal ? result.compactText : result.prettyText
    }
}

/// Opens engines for the CLI's subcommands.
enum EngineFactory {
    /// Opens the engine named by the options; with `scripting` (or any `--workflow`), a Lua
    /// host is attached and the workflows are loaded.
    /// The simulated gateway, carrier and mailer are used with `simulate` (demo), `--simulate`
    /// or `--gateway-ledger`; otherwise the engine has none.
    static func open(_ o: DatabaseOptions, fallback: String, clock: (any Clock)? = nil, scripting: Bool = false,
                     limits: ScriptLimits = ScriptLimits(), simulate: Bool = false) throws(OrderError) -> Engine {
        guard let durability = Durability(rawValue: o.durability) else {
            throw OrderError.invalid("--durability", "'\(o.durability)' is not one of full, normal")
        }
        var config = simulate || o.simulate || o.gatewayLedger != nil
            ? EngineConfiguration.simulated(durability: durability, defaultActor: "cli")
            : EngineConfiguration(durability: durability, defaultActor: "cli")
        if let clock { config.clock = clock }
        if let ledger = o.gatewayLedger { config.gateway = try SimulatedGateway(ledgerPath: ledger) }
        if scripting || !o.workflow.isEmpty {
            config.workflows = o.workflow
            config.scriptHost = LuaHost.factory(limits: limits)
        }
        return try Engine(path: o.path(default: fallback), configuration: config)
    }
}
