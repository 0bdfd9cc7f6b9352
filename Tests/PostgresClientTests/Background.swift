import Foundation

/// Runs `body` on a thread of its own; `wait()` returns its result or rethrows its error.
/// For tests in which one connection blocks while another goes on.
final class Background<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    /// The result, waiting at most `seconds`; nil when the body has not finished by then.
    func wait(seconds: Double = 30) throws -> T? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()  // later waits return at once
        return try result!.get()
    }
}
