import GRDB
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
    /// `pending` or `sent`.
    public var status: String
    public var createdAt: Timestamp
    public var ackedAt: Timestamp?

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
        [
            "id": .int(id), "kind": .string(kind), "order": .optional(order), "to": .string(recipient),
            "subject": .string(subject), "body": .string(body), "language": .string(language.rawValue),
            "status": .string(status), "created_at": .string(createdAt.iso8601), "acked_at": .optional(ackedAt?.iso8601),
        ]
    }
}

extension StoreSession {
    /// Queues a message; returns its id.
    public func enqueue(_ m: OutboxMessage) throws -> Int64 {
        try write("""
            INSERT INTO outbox (kind, order_number, recipient, subject, body, language, status, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)
            """, m.kind, m.order, m.recipient, m.subject, m.body, m.language.rawValue, m.createdAt.seconds)
        return lastInsertedId
    }

    /// Messages by status (`pending`, `sent`, or nil for all), optionally for one order, oldest
    /// first, after id `after`, at most `limit`.
    public func outbox(status: String?, order: Int64?, after: Int64, limit: Int) throws -> [OutboxMessage] {
        try rows("""
            SELECT id, kind, order_number, recipient, subject, body, language, status, created_at, acked_at FROM outbox
            WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR order_number = ?2) AND id > ?3 ORDER BY id LIMIT ?4
            """, [status, order, after, limit]).map { r in
            OutboxMessage(id: r[0], kind: r[1], order: r[2], recipient: r[3], subject: r[4], body: r[5],
                          language: Language(rawValue: r[6]) ?? .da, status: r[7], createdAt: Timestamp(seconds: r[8]),
                          ackedAt: Timestamp(r[9] as Int64?))
        }
    }

    /// Number of messages with `status`.
    public func outboxCount(status: String) throws -> Int64 {
        try row("SELECT COUNT(*) FROM outbox WHERE status = ?", [status])?[0] ?? 0
    }

    /// Marks messages sent. Returns the ids that were pending (acknowledging twice is harmless);
    /// throws `not_found` naming the first id that does not exist.
    public func ackOutbox(_ ids: [Int64], at: Timestamp) throws -> [Int64] {
        var acked: [Int64] = []
        for id in ids {
            guard let status: String = try row("SELECT status FROM outbox WHERE id = ?", [id])?[0] else {
                throw OrderError(.notFound, "ids: no outbox message \(id)", field: "ids")
            }
            if status == "pending" {
                try write("UPDATE outbox SET status = 'sent', acked_at = ? WHERE id = ?", at.seconds, id)
                acked.append(id)
            }
        }
        return acked
    }
}
