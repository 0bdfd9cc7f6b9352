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

    /// What one read gave: a line without its newline, a line dropped by Ctrl-C, or the end
    /// of input (Ctrl-D, or the end of a pipe).
    enum Input: Equatable { case line(String), interrupted, end }

    /// Set by the SIGINT handler while the prompt waits (async-signal-safe: one word).
    nonisolated(unsafe) private static var interruptPending: sig_atomic_t = 0

    /// Called from the SIGINT handler when no chunk runs: the line being typed is dropped.
    static func noteInterrupt() { interruptPending = 1 }

    /// The next line. libedit gives up the line it is editing when SIGINT arrives (its
    /// `readline` returns NULL, as at end of input); the pending flag tells the two apart, so
    /// Ctrl-C at the prompt clears the line as in a shell instead of quitting.
    func readLine(prompt: String) -> Input {
        guard interactive else { return Swift.readLine(strippingNewline: true).map(Input.line) ?? .end }
        LineEditor.interruptPending = 0
        let p = readline(prompt)
        if LineEditor.interruptPending != 0 {
            LineEditor.interruptPending = 0
            if let p { free(p) }
            print("^C")
            return .interrupted
        }
        guard let p else { return .end }
        defer { free(p) }
        let line = String(cString: p)
        if !line.trimmingCharacters().isEmpty {
            add_history(line)
            if let historyPath { _ = write_history(historyPath) }
        }
        return .line(line)
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
