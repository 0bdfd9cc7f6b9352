import ArgumentParser
import CLuaBridge
import OrderCore
import OrderEngine
import OrderScript
#if canImport(Glibc)
import Glibc
#endif

/// The state a SIGINT handler may touch: the Lua state to interrupt (set while a chunk runs).
nonisolated(unsafe) private var interruptTarget: OpaquePointer?

/// Ctrl-C: stops the running chunk, or (at the prompt) tells the line editor to drop the line.
private func onInterrupt(_ signal: Int32) {
    if let t = interruptTarget { oe_lua_interrupt(t) } else { LineEditor.noteInterrupt() }
}

/// `oe repl`: an interactive Lua shell on an order database.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "An interactive Lua shell with the oe API on an order database (.help for dot-commands).",
        discussion: """
            On a terminal: line editing and history (libedit; ~/.oe_history, or $OE_HISTORY), Tab
            completion, colour. An expression prints its value (as in lua.c); an incomplete chunk
            continues on a ..> prompt; `_` holds the last value. Local variables do not survive
            from one chunk to the next (each chunk is its own function, as in lua.c): use globals.
            Ctrl-C stops a running chunk, and at the prompt drops the line (and an unfinished
            chunk) as a shell does; Ctrl-D quits.
            With stdin not a terminal: no prompt and no colour; every chunk runs, and the exit
            status is 1 if any failed (--bail stops at the first failure).
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Stop at the first failing chunk (stdin not a terminal).")
    var bail = false

    func run() throws {
        var session = try ReplSession(options: database)
        let failures = session.loop(bail: bail)
        if failures > 0 && !session.interactive { throw ExitCode(1) }
    }
}

/// One REPL session: the engine, the editor, the output mode.
struct ReplSession {
    var engine: Engine
    var host: LuaHost
    let editor: LineEditor
    let interactive: Bool
    let colour: Bool
    var mode = "table"
    var timer = false
    var options: DatabaseOptions

    init(options: DatabaseOptions) throws {
        self.options = options
        interactive = isatty(0) == 1 && isatty(1) == 1
        colour = interactive && Environment.get("NO_COLOR") == nil
        let history = Environment.get("OE_HISTORY") ?? Environment.get("HOME").map { $0 + "/.oe_history" }
        editor = LineEditor(interactive: interactive, historyPath: history)
        (engine, host) = try ReplSession.open(options)
        try announce()
    }

    static func open(_ options: DatabaseOptions) throws -> (Engine, LuaHost) {
        var limits = ScriptLimits()
        limits.scriptInstructions = 0  // a REPL chunk runs until done or Ctrl-C
        let engine = try EngineFactory.open(options, fallback: "orderengine.sqlite", scripting: true, limits: limits)
        guard let host = engine.luaHost else { throw OrderError(.misuse, "no Lua host") }
        try host.enableRepl()
        Completion.commands = engine.registry.all.map(\.name)
        Completion.statuses = (try? engine.call("status.list")["statuses"]?.arrayValue?.compactMap { $0["key"]?.stringValue }) ?? []
        return (engine, host)
    }

    func announce() throws {
        let path = engine.store.path
        let count = (try? engine.call("order.count")["count"]?.intValue) ?? 0
        let line = "OrderEngine \(Version.string) — database \(path) (\(count) orders)"
        if interactive { print(line + "\nType .help for dot-commands, Ctrl-D to quit.") } else { printError(line) }
        if path == ":memory:" { printError("warning: the database is in memory; nothing is kept (use --db FILE or .open FILE)") }
    }

    /// Runs until end of input; returns the number of failed chunks.
    mutating func loop(bail: Bool) -> Int {
        var failures = 0
        var buffer = ""
        signal(SIGINT, onInterrupt)
        while true {
            let prompt = interactive ? (buffer.isEmpty ? "oe> " : "..> ") : ""
            let line: String
            switch editor.readLine(prompt: prompt) {
            case .line(let l): line = l
            case .interrupted:
                buffer = ""
                continue
            case .end:
                if !buffer.isEmpty {
                    printError("error[script]: incomplete chunk at end of input")
                    failures += 1
                }
                return failures
            }
            if buffer.isEmpty && line.trimmingCharacters().hasPrefix(".") {
                switch dotCommand(line.trimmingCharacters()) {
                case .quit: return failures
                case .failed:
                    failures += 1
                    if bail && !interactive { return failures }
                case .ok: break
                }
                continue
            }
            if buffer.isEmpty && line.trimmingCharacters().isEmpty { continue }
            buffer += buffer.isEmpty ? line : "\n" + line
            switch evaluate(buffer) {
            case .incomplete: continue
            case .ok: buffer = ""
            case .failed:
                buffer = ""
                failures += 1
                if bail && !interactive { return failures }
            }
        }
        return failures
    }

    enum Outcome { case ok, incomplete, failed }

    func evaluate(_ source: String) -> Outcome {
        let start = MonotonicClock.monotonicNanoseconds()
        interruptTarget = host.interruptTarget
        defer { interruptTarget = nil }
        do {
            _ = try host.callGlobal("__repl_columns", [.int(Int64(Terminal.columns(interactive: interactive)))])
            let r = try host.callGlobal("__repl_eval", [.string(source), .string(mode), .bool(colour), .bool(interactive)])
            if r["status"]?.stringValue == "incomplete" { return .incomplete }
            if let text = r["text"]?.stringValue, !text.isEmpty { print(text) }
            if timer { print(String(format3: Double(MonotonicClock.monotonicNanoseconds() - start) / 1e6) + " ms") }
            return .ok
        } catch {
            report(error)
            return .failed
        }
    }

    /// Prints an error: the message, and the traceback only for Lua errors.
    func report(_ e: OrderError) {
        var text = LuaTraceback.userFrames(e.description)
        if e.code != .script, let cut = text.range(of: "\nstack traceback:") { text = String(text[..<cut.lowerBound]) }
        printError(colour ? "\u{1B}[31m" + text + "\u{1B}[0m" : text)
    }

    enum DotOutcome { case ok, failed, quit }

    mutating func dotCommand(_ line: String) -> DotOutcome {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts[0]
        let arg = parts.count > 1 ? parts[1].trimmingCharacters() : ""
        let box = interactive ? "true" : "false"
        let c = colour ? "true" : "false"
        func show(_ lua: String) -> DotOutcome {
            do {
                interruptTarget = host.interruptTarget
                defer { interruptTarget = nil }
                let r = try host.eval(lua, chunkname: "=\(name)")
                if let s = r.stringValue { print(s) }
                return .ok
            } catch {
                report(error)
                return .failed
            }
        }
        func number() -> Int64? {
            guard let n = Int64(arg), n > 0 else { printError("\(name): expected an order number"); return nil }
            return n
        }
        switch name {
        case ".quit", ".exit": return .quit
        case ".help":
            print(ReplSession.help)
        case ".mode":
            guard ["table", "json", "lua"].contains(arg) else { printError(".mode: table, json or lua (now \(mode))"); return .failed }
            mode = arg
        case ".timer":
            guard arg == "on" || arg == "off" else { printError(".timer: on or off"); return .failed }
            timer = arg == "on"
        case ".open":
            guard !arg.isEmpty else { printError(".open: a database path (or :memory:)"); return .failed }
            var o = options
            o.db = arg
            do {
                (engine, host) = try ReplSession.open(o)
                options = o
                try announce()
            } catch {
                report((error as? OrderError) ?? OrderError(.storage, "\(error)"))
                return .failed
            }
        case ".load":
            do { try host.loadWorkflow(path: arg) } catch {
                report(error)
                return .failed
            }
            print("loaded \(arg)")
        case ".orders":
            let filter = ReplSession.filterLiteral(arg)
            return show("return __repl_format((oe.orders.find(\(filter))), 'table', \(c), \(box))")
        case ".order":
            guard let n = number() else { return .failed }
            return show("return __repl_format(oe.orders.get(\(n)), 'table', \(c), \(box))")
        case ".timeline":
            guard let n = number() else { return .failed }
            return show("""
                return __repl_grid(oe.orders.get(\(n)):timeline(), {{"at", "at"}, {"event", "event"}, {"from", "from"}, {"to", "to"},
                  {"amount", "amount", "r", true}, {"actor", "actor"}, {"command", "command"}}, \(c), \(box))
                """)
        case ".outbox":
            return show("""
                return __repl_grid(oe.outbox.list{limit = 50}, {{"id", "id", "r"}, {"order", "order", "r"}, {"to", "to"},
                  {"subject", "subject"}, {"status", "status"}}, \(c), \(box))
                """)
        case ".check":
            return show("""
                return __repl_grid(oe.call("payment.check", {days = \(Int(arg) ?? 2)}).authorizations, {{"reference", "order"},
                  {"customer", "customer"}, {"method", "method"}, {"uncaptured", "uncaptured", "r", true},
                  {"expires_at", "expires"}, {"expired", "expired"}, {"payment_state", "payment"}}, \(c), \(box))
                """)
        default:
            printError("unknown dot-command \(name); .help lists them")
            return .failed
        }
        return .ok
    }

    /// `.orders status=received tag=vip` → `{status = "received", tag = "vip"}`; a `{…}` argument is used as is.
    static func filterLiteral(_ arg: String) -> String {
        if arg.hasPrefix("{") { return arg }
        if arg.isEmpty { return "{}" }
        var parts: [String] = []
        for token in arg.split(separator: " ") {
            let kv = token.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, kv[0].allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
            let v = Int64(kv[1]) != nil || kv[1] == "true" || kv[1] == "false" ? kv[1] : "\"" + kv[1].replacingQuotes + "\""
            parts.append("\(kv[0]) = \(v)")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    static let help = """
        Lua with the oe API (docs/lua-api.md). An expression prints its value; `_` is the last one.
          .help                 this text
          .open PATH            open another database (:memory: for a scratch one)
          .load FILE            load a workflow (its hooks and guards apply from now on)
          .mode table|json|lua  how values print (table: orders as aligned tables)
          .timer on|off         print how long each chunk took
          .orders [filter]      orders, e.g. .orders status=received  or  .orders {text = "jensen"}
          .order N              one order with its lines
          .timeline N           an order's history
          .outbox               e-mails waiting for delivery
          .check [days]         Tjek betalinger: authorisations expired or expiring (default 2 days)
          .quit                 leave (or Ctrl-D)
        Examples:  oe.orders.count{status = "received"}    oe.orders.get(1):set_status("processing")
        """
}

private extension String {
    var replacingQuotes: String { String(flatMap { $0 == "\"" ? ["\\", "\""] : [$0] }) }
    init(format3 value: Double) {
        let v = (value * 1000).rounded() / 1000
        self = "\(v)"
    }
}

/// The CLI's version string.
enum Version {
    static let string = "0.1.0"
}

/// The width values are laid out in: the terminal's (asked at each chunk, so a resized
/// window is followed), else `$COLUMNS`, else 80.
enum Terminal {
    static func columns(interactive: Bool) -> Int {
        if interactive {
            var size = winsize()
            if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 { return Int(size.ws_col) }
        }
        if let c = Environment.get("COLUMNS").flatMap({ Int($0) }), c >= 20 { return c }
        return 80
    }
}

/// Monotonic time for `.timer`.
enum MonotonicClock {
    static func monotonicNanoseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}
