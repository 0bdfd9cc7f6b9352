import OrderCore

/// A failure of a PostgreSQL call: what kind of failure it is, the server's SQLSTATE when the
/// server reported it, and the server's message.
///
/// The classification is what a caller decides on: ``isRetryable`` (serialization failure
/// `40001` or deadlock `40P01`: run the whole transaction again, a bounded number of times),
/// ``isConnectionLoss`` (the connection is gone; the transaction it was in rolled back on the
/// server, and the next use of the ``PostgresConnection`` reconnects), ``isUniqueViolation``
/// (`23505`). ``code`` maps every failure onto the engine's ``ErrorCode``.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// Connecting (or reconnecting) failed: wrong URL, server down, authentication refused.
        case connectionFailed
        /// An established connection broke (server gone, backend terminated, network down).
        case connectionLost
        /// The server refused the statement; ``PostgresError/sqlState`` says why.
        case server
        /// A value could not be sent (a text parameter with a NUL character) or a column
        /// could not be read as the type asked for.
        case value
        /// The connection was used wrongly (a transaction inside a transaction, a commit
        /// outside one, a closed connection).
        case misuse
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The five-character SQLSTATE the server reported (`"23505"`), nil when it did not.
    public var sqlState: String?
    /// The server's primary message, or libpq's / this library's explanation.
    public var message: String
    /// The server's detail line, when it sent one (`Key (id)=(1) already exists.`).
    public var detail: String?
    /// The constraint a constraint violation is about, when the server named it.
    public var constraint: String?

    /// Creates an error; the library creates these, tests and adapters may too.
    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
    }

    /// True for a serialization failure (`40001`) or a detected deadlock (`40P01`): the
    /// transaction was rolled back and running it again from the start may succeed.
    public var isRetryable: Bool { kind == .server && (sqlState == "40001" || sqlState == "40P01") }

    /// True when the connection is gone (or could not be made). Whatever transaction was open
    /// is rolled back by the server; nothing of it committed.
    public var isConnectionLoss: Bool { kind == .connectionLost || kind == .connectionFailed }

    /// True for a unique-constraint violation (`23505`).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The engine's error code for this failure: connection failures, lost connections and
    /// server errors are `storage`, except that a constraint violation (class `23`), a lock
    /// not granted within `lock_timeout` (`55P03`) and an exhausted retry of a serialization
    /// failure or deadlock are `conflict`; an unsendable
    /// value is `invalid`; misuse is `misuse`. The store may map further (a unique violation
    /// of an idempotency key means "already done").
    public var code: ErrorCode {
        switch kind {
        case .connectionFailed, .connectionLost: return .storage
        case .value: return .invalid
        case .misuse: return .misuse
        case .server:
            // 55P03 lock_not_available: `lock_timeout` ran out (or NOWAIT) while another
            // session held the row — the data is busy being changed, as a conflict is.
            if isRetryable || sqlState?.hasPrefix("23") == true || sqlState == "55P03" { return .conflict }
            return .storage
        }
    }

    /// The failure as the engine's error (``code`` and this error's text).
    public var orderError: OrderError { OrderError(code, description) }

    public var description: String {
        var s = "postgresql"
        if let sqlState { s += " [\(sqlState)]" }
        s += ": " + message
        if let detail { s += " (\(detail))" }
        return s
    }
}

extension PostgresError {
    /// True for SQLSTATEs that mean the server ended the session: class `08` (connection
    /// exception) and `57P01`…`57P03` (administrator shutdown, crash shutdown, cannot connect now).
    static func endsSession(_ sqlState: String?) -> Bool {
        guard let s = sqlState else { return false }
        return s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
    }
}
