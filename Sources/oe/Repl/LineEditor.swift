import CEditLine
#if canImport(Glibc)
import Glibc
#endif

/// Line input for the REPL: libedit (BSD licence) on a terminal — arrows, Ctrl-A/E, Ctrl-R
/// history search, Tab completion, history in a file — or plain lines from a pipe.
final class LineEditor {
    let interactive: Bool
    private let historyPath: String?
    static let historyCap: Int32 = 1000

    init(interactive: Bool, historyPath: String?) {
        self.interactive = interactive
        self.historyPath = historyPath
        guard interactive else { return }
        using_history()
        stifle_history(LineEditor.historyCap)
        if let historyPath { _ = read_history(historyPath) }
        // Words for completion may contain '.' and ':' (oe.orders.find, order:set_status).
        oe_rl_setup(replComplete, LineEditor.breakCharacters)
    }

    nonisolated(unsafe) private static let breakCharacters: UnsafePointer<CChar> = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{(,[")!)

    /// The next line without its newline, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard interactive else { return Swift.readLine(strippingNewline: true) }
        guard let p = readline(prompt) else { return nil }
        defer { free(p) }
        let line = String(cString: p)
        if !line.trimmingCharacters().isEmpty {
            add_history(line)
            if let historyPath { _ = write_history(historyPath) }
        }
        return line
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
