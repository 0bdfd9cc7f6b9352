import OrderStore

/// The mail port: delivers one outbox message. Throws on failure; the message then stays
/// pending for the next `outbox.deliver`. Must be thread-safe.
public protocol Mailer: Sendable {
    func send(_ message: OutboxMessage) throws
}

/// A failure reported by a port implementation, turned into a `port` error by the engine.
public struct PortFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
