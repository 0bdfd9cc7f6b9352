import OrderCore
import OrderStorage
import PostgresClient

extension PostgresTransaction {
    static let outboxColumns = """
        id, kind, order_number, recipient, subject, body, language, status, created_at, acked_at,
        attempts, next_attempt_at, last_error, message_id, attachment
        """

    static func message(_ r: PostgresRow) throws -> OutboxMessage {
        var m = OutboxMessage(id: try r.int(0), kind: try r.string(1), order: try r.intOrNil(2), recipient: try r.string(3),
                              subject: try r.string(4), body: try r.string(5), language: Language(rawValue: try r.string(6)) ?? .da,
                              status: try r.string(7), createdAt: Timestamp(seconds: try r.int(8)),
                              ackedAt: try r.intOrNil(9).map { Timestamp(seconds: $0) })
        m.attempts = try r.int(10)
        m.nextAttemptAt = try r.intOrNil(11).map { Timestamp(seconds: $0) }
        m.lastError = try r.stringOrNil(12)
        m.messageID = try r.stringOrNil(13)
        m.attachment = try r.stringOrNil(14).flatMap { try? JSONParser.parse($0) }
        return m
    }

    /// Queues `m` as pending; returns its id.
    package func enqueue(_ m: OutboxMessage) throws -> Int64 {
        try rows("""
            INSERT INTO outbox (kind, order_number, recipient, subject, body, language, status, created_at, attachment)
            VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) RETURNING id
            """, [.text(m.kind), m.order.map(PostgresValue.int) ?? .null, .text(m.recipient), .text(m.subject), .text(m.body),
                  .text(m.language.rawValue), .int(m.createdAt.seconds), m.attachment.map { .text($0.compactText) } ?? .null])[0].int(0)
    }

    /// Messages by id after `after`, optionally of one status and one order.
    package func outbox(status: String?, order: Int64?, after: Int64, limit: Int) throws -> [OutboxMessage] {
        try rows("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR order_number = $2) AND id > $3 ORDER BY id LIMIT $4
            """, [status.map(PostgresValue.text) ?? .null, order.map(PostgresValue.int) ?? .null, .int(after), .int(Int64(limit))])
            .map(Self.message)
    }

    /// Claims up to `limit` due messages for `lease` seconds under `token`. Rows another
    /// worker has locked in its own claim are skipped (`FOR UPDATE SKIP LOCKED`), so two
    /// workers on two servers never claim one message and never wait for each other.
    package func claimOutbox(limit: Int, now: Timestamp, lease: Int64, token: String,
                             messageID: (Int64, Timestamp) -> String) throws -> [OutboxMessage] {
        let due = try rows("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
              AND (claimed_until IS NULL OR claimed_until <= $1)
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
            """, [.int(now.seconds), .int(Int64(limit))]).map(Self.message)
        return try due.map { m in
            var m = m
            if m.messageID == nil { m.messageID = messageID(m.id, m.createdAt) }
            try rows("UPDATE outbox SET claimed_until = $1, claim_token = $2, message_id = $3 WHERE id = $4",
                     [.int(now.seconds + lease), .text(token), m.messageID.map(PostgresValue.text) ?? .null, .int(m.id)])
            return m
        }
    }

    /// Records that message `id`, claimed under `token`, was sent; false when the claim was lost.
    package func recordSent(_ id: Int64, token: String, at: Timestamp) throws -> Bool {
        try rows("""
            UPDATE outbox SET status = 'sent', acked_at = $1, attempts = attempts + 1, claimed_until = NULL, claim_token = NULL,
                last_error = NULL, next_attempt_at = NULL
            WHERE id = $2 AND claim_token = $3 AND status = 'pending'
            """, [.int(at.seconds), .int(id), .text(token)]).rowsAffected > 0
    }

    /// Records a failed attempt: retried at `retryAt`, or `failed` for good when nil.
    package func recordFailure(_ id: Int64, token: String, error: String, retryAt: Timestamp?) throws -> Bool {
        try rows("""
            UPDATE outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
                claimed_until = NULL, claim_token = NULL
            WHERE id = $4 AND claim_token = $5 AND status = 'pending'
            """, [.text(retryAt == nil ? "failed" : "pending"), retryAt.map { .int($0.seconds) } ?? .null,
                  .text(String(error.prefix(2000))), .int(id), .text(token)]).rowsAffected > 0
    }

    /// The number of messages with `status`.
    package func outboxCount(status: String) throws -> Int64 {
        try rows("SELECT count(*) FROM outbox WHERE status = $1", [.text(status)])[0].int(0)
    }

    /// Marks pending messages sent by the host; returns those that were pending. `notFound`
    /// (naming `ids`) for an unknown id.
    package func ackOutbox(_ ids: [Int64], at: Timestamp) throws -> [Int64] {
        var acked: [Int64] = []
        for id in ids {
            guard let status = try rows("SELECT status FROM outbox WHERE id = $1 FOR UPDATE", [.int(id)]).first?.string(0) else {
                throw OrderError(.notFound, "ids: no outbox message \(id)", field: "ids")
            }
            if status == "pending" {
                try rows("UPDATE outbox SET status = 'sent', acked_at = $1, claimed_until = NULL, claim_token = NULL WHERE id = $2",
                         [.int(at.seconds), .int(id)])
                acked.append(id)
            }
        }
        return acked
    }
}
