import OrderCore

/// One registered command: a dotted name, whether it writes, and its handler.
///
/// The handler reads its parameters from the `ParamReader` (unknown fields are refused after
/// it returns), works through the `CommandContext` (one transaction), and returns a JSON result.
/// It throws `OrderError` for refusals; anything else becomes a `storage` error.
public struct Command: Sendable {
    /// Whether a command changes data (runs in a write transaction, may emit events and run
    /// hooks), or manages its own transactions (`orchestrated`: bulk commands such as
    /// `orders.mass_update`, which commit in batches; they cannot run inside another command).
    public enum Access: Sendable { case read, write, orchestrated }

    public let name: String
    /// One line for `oe help` and the command table.
    public let summary: String
    public let access: Access
    public let run: @Sendable (CommandContext, ParamReader) throws -> JSON
    /// For `orchestrated` commands: runs with the engine, the parameters and the actor.
    public let orchestrate: (@Sendable (Engine, JSON, String) throws -> JSON)?

    /// An orchestrated command (manages its own transactions).
    public init(_ name: String, _ summary: String, orchestrate: @escaping @Sendable (Engine, JSON, String) throws -> JSON) {
        self.name = name
        self.summary = summary
        self.access = .orchestrated
        self.run = { _, _ in throw OrderError(.misuse, "'\(name)' manages its own transactions and cannot run inside another command") }
        self.orchestrate = orchestrate
    }

    public init(_ name: String, _ access: Access, _ summary: String, run: @escaping @Sendable (CommandContext, ParamReader) throws -> JSON) {
        self.name = name
        self.summary = summary
        self.access = access
        self.run = run
        self.orchestrate = nil
    }
}

/// All commands by name: the one vocabulary the C ABI, Lua and the CLI adapt.
public struct CommandRegistry: Sendable {
    private var commands: [String: Command] = [:]

    public init() {}

    /// Registers a command; a second registration of a name replaces the first.
    public mutating func register(_ c: Command) { commands[c.name] = c }

    /// The command called `name`, if registered.
    public subscript(name: String) -> Command? { commands[name] }

    /// All commands, sorted by name.
    public var all: [Command] { commands.values.sorted { $0.name < $1.name } }

    /// Looks a command up or throws `not_found` suggesting close names.
    public func resolve(_ name: String) throws(OrderError) -> Command {
        if let c = commands[name] { return c }
        let prefix = name.split(separator: ".").first.map(String.init) ?? name
        let near = commands.keys.filter { $0.hasPrefix(prefix + ".") }.sorted()
        throw OrderError(.notFound, "unknown command '\(name)'" + (near.isEmpty ? "; see `oe commands` for the list" : "; did you mean \(near.joined(separator: ", "))?"))
    }
}
