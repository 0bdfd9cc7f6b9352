import CEditLine
#if canImport(Glibc)
import Glibc
#endif

/// Tab completion candidates for the REPL: `oe.` API names, methods of order objects (after
/// `:`), command names inside `oe.call("…`, status keys inside `set_status("…`, and dot-commands.
enum Completion {
    /// Filled by the REPL at start (command registry and status keys).
    nonisolated(unsafe) static var commands: [String] = []
    nonisolated(unsafe) static var statuses: [String] = []
    /// The matches of the current completion (read by the generator).
    nonisolated(unsafe) static var current: [String] = []

    static let api = [
        "oe.call", "oe.on", "oe.before", "oe.log", "oe.now", "oe.iso", "oe.time", "oe.null",
        "oe.orders.get", "oe.orders.find", "oe.orders.count", "oe.orders.create", "oe.orders.each", "oe.orders.mass_update",
        "oe.status.define", "oe.status.list", "oe.settings.get", "oe.settings.set", "oe.outbox.list",
        "oe.invoices.get", "oe.invoices.credit_note", "oe.invoices.find",
        "oe.returns.create", "oe.returns.receive", "oe.returns.refund", "oe.returns.get", "oe.returns.find", "oe.returns.check",
        "oe.clock.advance", "oe.test_mode", "oe.order_object",
    ]
    static let methods = [
        "reload", "set_status", "set_notify", "authorize", "capture", "void", "cancel", "ship", "hand_over",
        "deliver", "credit", "invoice", "timeline", "edit",
    ]
    static let dotCommands = [".help", ".open", ".load", ".timer", ".mode", ".orders", ".order", ".timeline", ".outbox", ".check", ".quit"]
    static let globals = ["oe", "print", "pairs", "ipairs", "string", "table", "math", "utf8", "coroutine", "pcall", "tostring",
                          "tonumber", "type", "require", "load", "_"]

    /// Candidates for `word`, given the line before it.
    static func candidates(word: String, before: String) -> [String] {
        let trimmedBefore = before.trimmingCharacters()
        if trimmedBefore.isEmpty && word.hasPrefix(".") { return dotCommands.filter { $0.hasPrefix(word) } }
        if before.hasSuffix("oe.call(\"") || before.hasSuffix("oe.call('") { return commands.filter { $0.hasPrefix(word) } }
        if before.hasSuffix("set_status(\"") || before.hasSuffix("set_status('") || before.hasSuffix("status = \"")
            || before.hasSuffix("status=\"") {
            return statuses.filter { $0.hasPrefix(word) }
        }
        if let colon = word.lastIndex(of: ":") {
            let head = word[...colon]
            let tail = String(word[word.index(after: colon)...])
            return methods.filter { $0.hasPrefix(tail) }.map { head + $0 }
        }
        if word.hasPrefix("oe.") || word == "oe" { return api.filter { $0.hasPrefix(word) } }
        return (globals + api).filter { $0.hasPrefix(word) }
    }
}

/// libedit's completion hook: computes the candidates, then lets libedit walk them.
func replComplete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    let word = text.map { String(cString: $0) } ?? ""
    let line = oe_rl_line_buffer().map { String(cString: $0) } ?? ""
    let before = String(line.utf8.prefix(Int(start))) ?? ""
    Completion.current = Completion.candidates(word: word, before: before)
    oe_rl_no_append()
    if Completion.current.isEmpty { return nil }
    return rl_completion_matches(text, replCompletionGenerator)
}

/// Returns the state-th candidate (malloc'd, libedit frees it), or nil when done.
func replCompletionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    let i = Int(state)
    guard i < Completion.current.count else { return nil }
    return strdup(Completion.current[i])
}
