import COrderEngineABI
import OrderCore
import OrderEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One replaceable port implementation: a host's C callback and its userdata, or none.
/// Thread-safe.
final class PortSlot: Sendable {
    private struct Callback: @unchecked Sendable {
        var fn: oe_port_fn
        var userdata: UnsafeMutableRawPointer?
    }

    private let callback = Locked<Callback?>(nil)
    /// The port's name, for error messages.
    let name: String

    init(name: String) { self.name = name }

    func set(_ fn: oe_port_fn?, _ userdata: UnsafeMutableRawPointer?) {
        callback.withLock { $0 = fn.map { Callback(fn: $0, userdata: userdata) } }
    }

    var isSet: Bool { callback.withLock { $0 != nil } }

    /// Calls the host with `request`; returns its JSON response. Throws `port` naming the port
    /// when the callback fails or answers with something that is not a JSON object. While the
    /// callback runs, this thread is marked as inside it, so that a call back into the library
    /// is answered with OE_MISUSE (the engine is in the middle of a command on this thread).
    func call(_ request: JSON) throws(OrderError) -> JSON {
        guard let cb = callback.withLock({ $0 }) else { throw OrderError(.port, "\(name) port: no host callback") }
        var response: UnsafeMutablePointer<CChar>?
        let rc = request.compactText.withCString { text in
            CallbackGuard.inside(name) { cb.fn(cb.userdata, text, &response) }
        }
        defer { free(response) }
        let text = response.flatMap { String(validatingCString: $0) }
        guard rc == 0 else {
            throw OrderError(.port, "\(name) port: the host callback failed (\(rc))" + (text.map { ": \($0)" } ?? ""))
        }
        guard let text, case .object(let o)? = try? JSONParser.parse(text) else {
            throw OrderError(.port, "\(name) port: the host callback answered with no JSON object")
        }
        return .object(o)
    }
}

/// Marks the threads that are inside a host's port callback (a pthread key: the callback may
/// run on any host thread). Every oe_* entry that could reach the engine refuses such a thread
/// with OE_MISUSE instead of re-entering a transaction that thread already holds (which the
/// database layer answers with a fatal error).
enum CallbackGuard {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()
    private static let names = ["payment", "carrier", "mail", "clock"]

    /// Runs `body` with this thread marked as inside the callback of port `port`.
    static func inside<T>(_ port: String, _ body: () -> T) -> T {
        let previous = pthread_getspecific(key)
        let mark = (names.firstIndex(of: port) ?? 4) + 1
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: mark))
        defer { pthread_setspecific(key, previous) }
        return body()
    }

    /// The port whose callback this thread is inside, or nil.
    static var current: String? {
        guard let p = pthread_getspecific(key) else { return nil }
        let i = Int(bitPattern: p) - 1
        return i < names.count ? names[i] : "host"
    }
}
