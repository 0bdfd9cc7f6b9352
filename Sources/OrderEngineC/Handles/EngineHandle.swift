import OrderCore
import OrderEngine
import OrderScript
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What an `oe_engine *` points to: the engine, its host ports, and each thread's last error.
final class EngineHandle: Sendable {
    let engine: Engine
    let gateway: HostGateway
    let carrier: HostCarrier
    let mailer: HostMailer
    let clock: HostClock
    let errors = ThreadMessages()

    init(engine: Engine, gateway: HostGateway, carrier: HostCarrier, mailer: HostMailer, clock: HostClock) {
        self.engine = engine
        self.gateway = gateway
        self.carrier = carrier
        self.mailer = mailer
        self.clock = clock
    }

    /// The port slot called `name`, or nil.
    func slot(_ name: String) -> PortSlot? {
        switch name {
        case "payment": gateway.slot
        case "carrier": carrier.slot
        case "mail": mailer.slot
        case "clock": clock.slot
        default: nil
        }
    }
}

/// The last error message per OS thread, as C strings owned here. A thread's message is freed
/// at its next call (that is the lifetime `oe_errmsg` promises).
final class ThreadMessages: Sendable {
    // Addresses of strdup'd strings by thread (integers, so the table is plainly Sendable).
    private let table = Locked<[UInt: UInt]>([:])
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = strdup("")

    /// Forgets (frees) this thread's message: a new call starts.
    func clear() {
        let key = threadKey()
        let old = table.withLock { $0.removeValue(forKey: key) }
        if let old { free(UnsafeMutableRawPointer(bitPattern: old)) }
    }

    func set(_ message: String) {
        let key = threadKey()
        guard let p = strdup(message) else { return }
        let new = UInt(bitPattern: p)
        let old = table.withLock { t in t.updateValue(new, forKey: key) }
        if let old { free(UnsafeMutableRawPointer(bitPattern: old)) }
    }

    /// This thread's message, or "" (never NULL).
    func current() -> UnsafePointer<CChar> {
        let key = threadKey()
        guard let a = table.withLock({ $0[key] }), let p = UnsafePointer<CChar>(bitPattern: a) else { return UnsafePointer(ThreadMessages.empty) }
        return p
    }

    deinit {
        table.withLock { t in for (_, a) in t { free(UnsafeMutableRawPointer(bitPattern: a)) } }
    }
}

func threadKey() -> UInt {
    #if os(Linux)
    return UInt(pthread_self())
    #else
    return UInt(bitPattern: pthread_self())
    #endif
}

/// Every open handle, so a NULL, closed or foreign pointer is answered with OE_MISUSE instead
/// of being dereferenced.
enum Handles {
    private static let live = Locked<[UInt: EngineHandle]>([:])
    /// Errors of calls without a valid handle (oe_open failures, misuse), per thread.
    static let orphanErrors = ThreadMessages()

    static func register(_ h: EngineHandle) -> OpaquePointer {
        let p = Unmanaged.passUnretained(h).toOpaque()
        live.withLock { $0[UInt(bitPattern: p)] = h }
        return OpaquePointer(p)
    }

    /// The handle for `p` if it is open (retained for the duration of the caller's use).
    static func lookup(_ p: OpaquePointer?) -> EngineHandle? {
        guard let p else { return nil }
        return live.withLock { $0[UInt(bitPattern: UnsafeRawPointer(p))] }
    }

    /// Removes the handle; returns it (it is freed when the last call using it returns).
    static func remove(_ p: OpaquePointer?) -> EngineHandle? {
        guard let p else { return nil }
        return live.withLock { $0.removeValue(forKey: UInt(bitPattern: UnsafeRawPointer(p))) }
    }
}
