import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads workflow and script files (UTF-8 text) without Foundation; shared by the Lua host and
/// the CLI (`oe run`, `oe test`).
public enum FileReader {
    /// The file's text; `invalid` naming the path when it cannot be read or is not UTF-8.
    public static func read(_ path: String) throws(OrderError) -> String {
        let bytes = try LocalFile.read(path, field: "")
        guard let s = String(validating: bytes, as: UTF8.self) else { throw OrderError(.invalid, "\(path): not UTF-8 text") }
        return s
    }

    /// Whether `path` names an existing regular file.
    public static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` names an existing folder.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The folder part of a path (`.` when there is none).
    public static func directory(of path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }
}
