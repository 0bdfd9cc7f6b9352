import OrderCore
import OrderStore
import Synchronization

/// A mailer that keeps sent messages in memory, for tests and the demo.
public final class SimulatedMailer: Mailer {
    private let sent = Locked<[OutboxMessage]>([])

    public init() {}

    public func send(_ message: OutboxMessage) throws {
        sent.withLock { $0.append(message) }
    }

    /// Messages sent so far.
    public var messages: [OutboxMessage] { sent.withLock { $0 } }
}
