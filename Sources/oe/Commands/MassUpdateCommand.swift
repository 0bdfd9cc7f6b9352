import ArgumentParser
import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#endif

/// `oe mass-update`: one action over every order a filter selects ("masseopdatering").
struct MassUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mass-update",
        abstract: "Apply one action (set_status, capture, hand_over, add_tag, remove_tag) to every order a filter selects.",
        discussion: """
            Example: oe mass-update --filter '{"status":"received","carrier":"GLS"}' --action '{"set_status":"shipped"}'
            Prints the per-order report as JSON; a progress bar goes to stderr on a terminal. Exits 0
            when every order succeeded or was skipped, 1 when any failed. When a batch's transaction
            fails (e.g. the database connection is lost), the report still shows the batches
            committed before it, that batch's orders as failed and the rest as not_attempted;
            the error goes to stderr and the exit status is 1.
            """)

    @Option(name: .long, help: "The filter, as order.find takes it (JSON object; {} = every order).")
    var filter: String

    @Option(name: .long, help: "The action, e.g. {\"set_status\":\"shipped\"} or {\"capture\":true}.")
    var action: String

    @Option(name: .long, help: "Orders per transaction (group commit), 1-1000.")
    var batch: Int = 500

    @Flag(name: .long, help: "Report only the orders that failed.")
    var failuresOnly = false

    @Option(name: .long, help: "Update at most this many of the selected orders.")
    var limit: Int?

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
            var params: JSONObject = [
                "filter": try JSONParser.parse(filter), "action": try JSONParser.parse(action),
                "batch_size": .int(Int64(batch)), "report": failuresOnly ? "failures" : "all",
            ]
            if let limit { params["limit"] = .int(Int64(limit)) }
            let showBar = isatty(2) == 1
            let report = try engine.massUpdate(.object(params), actor: "cli") { done, total in
                guard showBar, total > 0 else { return }
                let width = 30
                let filled = done * width / total
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                printError("\u{1B}[1A\u{1B}[2K\r\(bar) \(done)/\(total)")
            }
            print(Environment.stdoutIsTerminal ? report.prettyText : report.compactText)
            if let stopped = report["stopped"], let code = stopped["code"]?.stringValue {
                // The report above holds what was committed; say on stderr why the rest was not tried.
                let left = report["not_attempted"]?.arrayValue?.count ?? 0
                printError("error[\(code)]: \(stopped["message"]?.stringValue ?? "")\nstopped: \(left) order(s) not attempted; run the same mass update again once the database is back")
            }
            if (report["failed"]?.intValue ?? 0) > 0 { throw ExitCode(1) }
        } catch let e as OrderError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        }
    }
}
