#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process environment and terminal facts for the CLI.
enum Environment {
    /// The value of environment variable `name`.
    static func get(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    /// Whether standard output is a terminal (pretty output) or a pipe (plain output).
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

/// Writes to standard error.
func printError(_ s: String) {
    var line = s
    if !line.hasSuffix("\n") { line += "\n" }
    _ = line.withCString { write(2, $0, strlen($0)) }
}
