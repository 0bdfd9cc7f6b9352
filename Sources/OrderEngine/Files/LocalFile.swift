import OrderCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the few local files the engine touches (a rendered document, the shop's
/// logo, a DKIM key, a workflow script) without Foundation. Errors are `invalid` naming the
/// field (when not empty) and the path. `package`: the Lua host reads its scripts through it.
package enum LocalFile {
    /// The bytes of `path`, at most `maxBytes`.
    package static func read(_ path: String, field: String, maxBytes: Int = 16 << 20) throws(OrderError) -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw OrderError.invalid(field, "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if bytes.count > maxBytes { throw OrderError.invalid(field, "\(path): larger than \(maxBytes) bytes") }
            if n < chunk.count { break }
        }
        return bytes
    }

    /// Writes `bytes` to `path` with `mode`. With `exclusive` an existing file is refused
    /// (never overwritten); otherwise it is replaced atomically (written beside, then renamed).
    package static func write(_ bytes: [UInt8], to path: String, field: String, mode: mode_t = 0o644, exclusive: Bool = false) throws(OrderError) {
        let target = exclusive ? path : path + ".tmp-\(getpid())"
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let e = errno
            if exclusive && e == EEXIST { throw OrderError.conflict("\(field): \(path) exists; it is never overwritten") }
            throw OrderError.invalid(field, "\(path): cannot create (\(String(cString: strerror(e))))")
        }
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                close(fd)
                unlink(target)
                throw OrderError.invalid(field, "\(path): cannot write (\(String(cString: strerror(e))))")
            }
            off += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        if !exclusive && rename(target, path) != 0 {
            let e = errno
            unlink(target)
            throw OrderError.invalid(field, "\(path): cannot write (\(String(cString: strerror(e))))")
        }
    }
}
