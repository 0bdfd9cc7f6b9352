#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interpreter lock: one OS thread at a time runs Lua in a state. Recursive, because a
/// hook may call a command whose hooks run Lua again on the same thread; and it can be given
/// up completely while a script waits for a top-level command (another thread's write
/// transaction may need Lua for its hooks meanwhile), then taken back at the same depth.
final class ScriptLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    /// How deep the owner holds it (guarded by `mutex` ownership).
    private(set) var depth = 0

    init() {
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func lock() {
        pthread_mutex_lock(&mutex)
        depth += 1
    }

    func unlock() {
        depth -= 1
        pthread_mutex_unlock(&mutex)
    }

    /// Gives the lock up entirely (the caller owns it); returns the depth to restore.
    func releaseAll() -> Int {
        let d = depth
        for _ in 0..<d { unlock() }
        return d
    }

    /// Takes the lock back at `depth`.
    func reacquire(_ d: Int) {
        for _ in 0..<d { lock() }
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// The calling OS thread's identity, for per-thread bookkeeping.
func currentThreadKey() -> UInt {
    #if os(Linux)
    return UInt(pthread_self())
    #else
    return UInt(bitPattern: pthread_self())
    #endif
}
