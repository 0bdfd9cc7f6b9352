import ArgumentParser
import OrderCore
import OrderEngine

/// `oe demo`: a day of a Danish shop, printed as a report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run a day of a Danish web shop (about 50 orders) and print the report.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        printError("demo: not yet")
    }
}
