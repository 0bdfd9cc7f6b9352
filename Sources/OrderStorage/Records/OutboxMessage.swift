import OrderCore

/// A message waiting in the durable outbox (queued in the transaction of the command that
/// caused it; delivered by the host or the `Mailer` port, then acknowledged).
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    /// `email` for now.
    public var kind: String
    public var order: Int64?
    public var recipient: String
    public var subject: String
    public var body: String
    public var language: Language
    /// `pending`, `sent` or `failed` (refused for good by the mail server).
    public var status: String
    public var createdAt: Timestamp
    public var ackedAt: Timestamp?
    /// Delivery attempts so far.
    public var attempts: Int64 = 0
    /// When a pending message is tried again after a transient failure.
    public var nextAttemptAt: Timestamp?
    /// The last failure (the server's reply or the network error).
    public var lastError: String?
    /// The Message-ID (without angle brackets), fixed at the first delivery attempt.
    public var messageID: String?
    /// A document to attach: `{"kind", "number", "format"}`.
    public var attachment: JSON?
    /// The finished RFC 5322 message, filled in for the Mailer port at delivery (not stored).
    public var mime: String?

    public init(id: Int64 = 0, kind: String = "email", order: Int64?, recipient: String, subject: String, body: String,
                language: Language, status: String = "pending", createdAt: Timestamp, ackedAt: Timestamp? = nil) {
        self.id = id
        self.kind = kind
        self.order = order
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.language = language
        self.status = status
        self.createdAt = createdAt
        self.ackedAt = ackedAt
    }

    public var json: JSON {
        var o: JSONObject = [
            "id": .int(id), "kind": .string(kind), "order": .optional(order), "to": .string(recipient),
            "subject": .string(subject), "body": .string(body), "language": .string(language.rawValue),
            "status": .string(status), "created_at": .string(createdAt.iso8601), "acked_at": .optional(ackedAt?.iso8601),
            "attempts": .int(attempts), "next_attempt_at": .optional(nextAttemptAt?.iso8601), "last_error": .optional(lastError),
            "message_id": .optional(messageID),
        ]
        if let attachment { o["attachment"] = attachment }
        if let mime { o["mime"] = .string(mime) }
        return .object(o)
    }
}
