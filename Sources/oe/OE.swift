import ArgumentParser
import OrderCore
import OrderEngine

/// The `oe` command line: the main job (`oe demo`) and every engine command (`oe call`).
@main
struct OE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oe",
        abstract: "OrderEngine: order processing for web shops, from the terminal.",
        discussion: """
            Exit codes: 0 success; 1 not_found, 2 invalid, 3 conflict, 4 policy, 5 script, 6 port,
            7 storage, 8 misuse, 9 nomem (the C ABI's status codes); 64 usage error.
            """,
        subcommands: [CallCommand.self, DemoCommand.self, InvoiceCommand.self, MailCommand.self, MailWorkerCommand.self, MassUpdateCommand.self, RunCommand.self, ReplCommand.self, TestCommand.self, BenchCommand.self, CommandsCommand.self, StoreCommand.self]
    )

    /// Runs the command line. An engine error that a subcommand lets through (e.g. the database
    /// cannot be opened by `oe repl` or `oe bench`) prints `error[<code>]: …` and exits with the
    /// code's number, as every command documents, instead of ArgumentParser's `Error: …` and 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as OrderError {
            printError(e.description)
            Self.exit(withError: ExitCode(e.code.rawValue))
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// Options every subcommand that opens a database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The shop database: a SQLite file path, :memory:, or a postgresql:// URL (default: $OE_DB or ./orderengine.sqlite).")
    var db: String?

    @Option(name: .long, help: "Durability of commits: full (survives power loss) or normal (survives application crash).")
    var durability: String = "full"

    @Option(name: .long, help: "A Lua workflow to load (repeatable); its hooks and guards run inside every command.")
    var workflow: [String] = []

    @Option(name: .long, help: "Keep the simulated gateway's ledger (the bank's view) in this SQLite file (crash tests; implies --simulate).")
    var gatewayLedger: String?

    @Flag(name: .long, help: "Use the simulated payment gateway, carrier and mailer (tests and demos, never real money). Without it, commands that need a gateway or carrier fail with `port`. demo, test and bench always simulate.")
    var simulate = false

    /// The resolved database path.
    func path(default fallback: String) -> String {
        db ?? Environment.get("OE_DB") ?? fallback
    }
}
