import GRDB
import OrderCore

extension OutboxMessage {
    static let columns = """
        id, kind, order_number, recipient, subject, body, language, status, created_at, acked_at,
        attempts, next_attempt_at, last_error, message_id, attachment
        """

    init(row r: Row) {
        self.init(id: r[0], kind: r[1], order: r[2], recipient: r[3], subject: r[4], body: r[5],
                  language: Language(rawValue: r[6]) ?? .da, status: r[7], createdAt: Timestamp(seconds: r[8]),
                  ackedAt: Timestamp(r[9] as Int64?))
        attempts = r[10]
        nextAttemptAt = Timestamp(r[11] as Int64?)
        lastError = r[12]
        messageID = r[13]
        attachment = (r[14] as String?).flatMap { try? JSONParser.parse($0) }
    }
}

extension StoreSession {
    /// Queues a message; returns its id.
    package func enqueue(_ m: OutboxMessage) throws -> Int64 {
        try write("""
            INSERT INTO outbox (kind, order_number, recipient, subject, body, language, status, created_at, attachment)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """, m.kind, m.order, m.recipient, m.subject, m.body, m.language.rawValue, m.createdAt.seconds, m.attachment?.compactText)
        return lastInsertedId
    }

    /// Messages by status (`pending`, `sent`, or nil for all), optionally for one order, oldest
    /// first, after id `after`, at most `limit`.
    package func outbox(status: String?, order: Int64?, after: Int64, limit: Int) throws -> [OutboxMessage] {
        try rows("""
            SELECT \(OutboxMessage.columns) FROM outbox
            WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR order_number = ?2) AND id > ?3 ORDER BY id LIMIT ?4
            """, [status, order, after, limit]).map(OutboxMessage.init(row:))
    }

    /// Claims up to `limit` pending messages that are due (`next_attempt_at` passed) and not
    /// claimed by a live worker, for `lease` seconds under `token`; fixes each one's Message-ID
    /// (`messageID(id, createdAt)`) at its first claim. Call in a write transaction: two
    /// workers never hold the same message.
    package func claimOutbox(limit: Int, now: Timestamp, lease: Int64, token: String,
                            messageID: (Int64, Timestamp) -> String) throws -> [OutboxMessage] {
        let due = try rows("""
            SELECT \(OutboxMessage.columns) FROM outbox
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
              AND (claimed_until IS NULL OR claimed_until <= ?1)
            ORDER BY id LIMIT ?2
            """, [now.seconds, limit]).map(OutboxMessage.init(row:))
        return try due.map { m in
            var m = m
            if m.messageID == nil { m.messageID = messageID(m.id, m.createdAt) }
            try write("UPDATE outbox SET claimed_until = ?, claim_token = ?, message_id = ? WHERE id = ?",
                      now.seconds + lease, token, m.messageID, m.id)
            return m
        }
    }

    /// Records that the server accepted message `id` (claimed under `token`). Returns false
    /// when the claim was lost (another worker took the message after the lease ran out).
    package func recordSent(_ id: Int64, token: String, at: Timestamp) throws -> Bool {
        try write("""
            UPDATE outbox SET status = 'sent', acked_at = ?, attempts = attempts + 1, claimed_until = NULL, claim_token = NULL,
                last_error = NULL, next_attempt_at = NULL
            WHERE id = ? AND claim_token = ? AND status = 'pending'
            """, at.seconds, id, token)
        return changes > 0
    }

    /// Records a failed attempt of message `id`: with `retryAt` it stays pending until then,
    /// without it is `failed` for good. Returns false when the claim was lost.
    package func recordFailure(_ id: Int64, token: String, error: String, retryAt: Timestamp?) throws -> Bool {
        try write("""
            UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                claimed_until = NULL, claim_token = NULL
            WHERE id = ? AND claim_token = ? AND status = 'pending'
            """, retryAt == nil ? "failed" : "pending", retryAt?.seconds, String(error.prefix(2000)), id, token)
        return changes > 0
    }

    /// Number of messages with `status`.
    package func outboxCount(status: String) throws -> Int64 {
        try row("SELECT COUNT(*) FROM outbox WHERE status = ?", [status])?[0] ?? 0
    }

    /// Marks messages sent. Returns the ids that were pending (acknowledging twice is harmless);
    /// throws `not_found` naming the first id that does not exist.
    package func ackOutbox(_ ids: [Int64], at: Timestamp) throws -> [Int64] {
        var acked: [Int64] = []
        for id in ids {
            guard let status: String = try row("SELECT status FROM outbox WHERE id = ?", [id])?[0] else {
                throw OrderError(.notFound, "ids: no outbox message \(id)", field: "ids")
            }
            if status == "pending" {
                try write("UPDATE outbox SET status = 'sent', acked_at = ?, claimed_until = NULL, claim_token = NULL WHERE id = ?", at.seconds, id)
                acked.append(id)
            }
        }
        return acked
    }
}
