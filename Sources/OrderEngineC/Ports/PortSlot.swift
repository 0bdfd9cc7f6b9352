import COrderEngineABI
import OrderCore
import OrderEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One replaceable port implementation: a host's C callback and its userdata, or none (the
/// built-in simulator answers). Thread-safe.
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
    /// when the callback fails or answers with something that is not a JSON object.
    func call(_ request: JSON) throws(OrderError) -> JSON {
        guard let cb = callback.withLock({ $0 }) else { throw OrderError(.port, "\(name) port: no host callback") }
        var response: UnsafeMutablePointer<CChar>?
        let rc = request.compactText.withCString { cb.fn(cb.userdata, $0, &response) }
        defer { free(response) }
        let text = response.flatMap { String(validatingCString: $0) }
        guard rc == 0 else {
            throw OrderError(.port, "\(name) port: the host callback failed (\(rc))" + (text.map { ": \($0)" } ?? ""))
        }
        guard let text, case .object = (try? JSONParser.parse(text)) ?? .null else {
            throw OrderError(.port, "\(name) port: the host callback answered with no JSON object")
        }
        return (try? JSONParser.parse(text)) ?? .null
    }
}
