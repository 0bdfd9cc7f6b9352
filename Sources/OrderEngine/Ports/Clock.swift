import OrderCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the engine's time comes from. Rules never read the wall clock themselves, so tests
/// and demos control time with a `ManualClock`.
///
/// Implementations must be thread-safe: any command on any thread may ask.
public protocol Clock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The system's wall clock (UTC seconds).
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec))
    }
}

/// A clock that stands still until told to move: for tests, the demo and `oe test`.
public final class ManualClock: Clock {
    private let current: Locked<Timestamp>

    /// Starts at `start`.
    public init(_ start: Timestamp) { current = Locked(start) }

    public func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward (or back, with negative values).
    public func advance(days: Int64 = 0, hours: Int64 = 0, minutes: Int64 = 0, seconds: Int64 = 0) {
        current.withLock { $0 = $0.adding(seconds: days * 86_400 + hours * 3600 + minutes * 60 + seconds) }
    }

    /// Sets the clock.
    public func set(_ t: Timestamp) { current.withLock { $0 = t } }
}

/// A clock that can fail (a host's clock callback). The engine asks it through `checkedNow()`
/// when a command starts, so a failure becomes that command's `port` error.
public protocol FallibleClock: Clock {
    func checkedNow() throws -> Timestamp
}
