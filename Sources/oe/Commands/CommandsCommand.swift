import ArgumentParser
import OrderEngine

/// `oe commands`: the command table.
struct CommandsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commands", abstract: "List every engine command with a one-line summary.")

    func run() throws {
        let engine = try Engine(path: ":memory:", configuration: .simulated())  // every command, gateway.simulate too
        let all = engine.registry.all
        let width = all.map(\.name.count).max() ?? 0
        for c in all {
            print(c.name.padding(width) + "  " + (c.access == .read ? "read " : c.access == .write ? "write" : "batch") + "  " + c.summary)
        }
    }
}
