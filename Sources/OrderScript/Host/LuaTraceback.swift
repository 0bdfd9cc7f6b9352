/// Trims a Lua error message for people: keeps the message and the traceback lines that point
/// into user code, dropping the host's own frames (the prelude, the REPL and test helpers,
/// the C entry points).
public enum LuaTraceback {
    public static func userFrames(_ message: String) -> String {
        let internalMarkers = ["prelude:", "repl:", "testing:", "=invoke", "[C]: in ?", "[string \"", "(...tail calls...)"]
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [Substring] = []
        for line in lines where !internalMarkers.contains(where: { line.contains($0) }) { out.append(line) }
        // A traceback header with no user frame left says nothing.
        if let last = out.last, last.trimmingPrefix(while: { $0 == " " || $0 == "\t" }) == "stack traceback:" { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
