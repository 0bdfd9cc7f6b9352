import OrderCore
import OrderEngine
import OrderScript
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What an `oe_engine *` points to: the engine, its host ports, each thread's last error, and
/// the gate `oe_close` waits at for the calls in progress.
final class EngineHandle: Sendable {
    let engine: Engine
    let gateway: HostGateway
    let carrier: HostCarrier
    let mailer: HostMailer
    let clock: HostClock
    let errors = ThreadMessages()
    let gate = CallGate()

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

/// Counts the calls in progress on one handle, so that `oe_close` can wait for them (and the
/// port callbacks they make) to return, and refuses calls that arrive once closing began.
final class CallGate: @unchecked Sendable {
    // Heap-allocated: a pthread mutex or condition must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var active = 0
    private var closing = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    /// Admits a call; false once `close` began.
    func enter() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if closing { return false }
        active += 1
        return true
    }

    /// Ends an admitted call.
    func leave() {
        pthread_mutex_lock(mutex)
        active -= 1
        if active == 0 { pthread_cond_broadcast(cond) }
        pthread_mutex_unlock(mutex)
    }

    /// Refuses new calls and waits until every admitted call has left.
    func close() {
        pthread_mutex_lock(mutex)
        closing = true
        while active > 0 { pthread_cond_wait(cond, mutex) }
        pthread_mutex_unlock(mutex)
    }
}

/// The last error per OS thread: its message and its JSON form (`oe_errjson`), as C strings
/// owned here. A thread's error is freed at its next call (the lifetime `oe_errmsg` promises).
final class ThreadMessages: Sendable {
    private struct Entry { var message: UInt; var json: UInt }
    // Addresses of strdup'd strings by thread (integers, so the table is plainly Sendable).
    private let table = Locked<[UInt: Entry]>([:])
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = strdup("")
    nonisolated(unsafe) private static let noError: UnsafeMutablePointer<CChar> = strdup(ErrorJSON.none.compactText)

    /// Forgets (frees) this thread's error: a new call starts.
    func clear() {
        let key = threadKey()
        if let old = table.withLock({ $0.removeValue(forKey: key) }) { ThreadMessages.free(old) }
    }

    /// Records `error` as this thread's last error.
    func set(_ error: OrderError) {
        let key = threadKey()
        guard let m = strdup(error.message) else { return }
        guard let j = strdup(ErrorJSON.of(error).compactText) else { Glibc.free(m); return }
        let new = Entry(message: UInt(bitPattern: m), json: UInt(bitPattern: j))
        if let old = table.withLock({ t in t.updateValue(new, forKey: key) }) { ThreadMessages.free(old) }
    }

    /// Records a misuse of the API.
    func set(_ message: String) { set(OrderError(.misuse, message)) }

    /// This thread's message, or "" (never NULL).
    func current() -> UnsafePointer<CChar> {
        guard let e = table.withLock({ $0[threadKey()] }), let p = UnsafePointer<CChar>(bitPattern: e.message) else {
            return UnsafePointer(ThreadMessages.empty)
        }
        return p
    }

    /// This thread's error as JSON, or the "no error" object (never NULL).
    func currentJSON() -> UnsafePointer<CChar> {
        guard let e = table.withLock({ $0[threadKey()] }), let p = UnsafePointer<CChar>(bitPattern: e.json) else {
            return UnsafePointer(ThreadMessages.noError)
        }
        return p
    }

    private static func free(_ e: Entry) {
        Glibc.free(UnsafeMutableRawPointer(bitPattern: e.message))
        Glibc.free(UnsafeMutableRawPointer(bitPattern: e.json))
    }

    deinit {
        table.withLock { t in for (_, e) in t { ThreadMessages.free(e) } }
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
