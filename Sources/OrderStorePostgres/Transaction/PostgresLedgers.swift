import OrderCore
import OrderStorage
import PostgresClient

extension PostgresTransaction {
    // MARK: - Payments

    /// The order whose payment row carries idempotency key `key`, or nil.
    package func orderOfPayment(idempotencyKey key: String) throws -> Int64? {
        try rows("SELECT order_number FROM payments WHERE idempotency_key = $1", [.text(key)]).first?.int(0)
    }

    /// Appends a payment row; returns it with its id.
    package func appendPayment(order: Int64, _ p: PaymentTransaction) throws -> PaymentTransaction {
        let id = try rows("""
            INSERT INTO payments (order_number, kind, amount, method, reference, idempotency_key, authorization_id, at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """, [.int(order), .text(p.kind.rawValue), .int(p.amount), .text(p.method), Self.value(p.reference), Self.value(p.idempotencyKey),
                  Self.value(p.authorization), .int(p.at.seconds), Self.value(p.expiresAt?.seconds)])[0].int(0)
        var out = p
        out.id = id
        return out
    }

    /// The query of the payments matching `clause`, by id, with their order numbers.
    static func paymentsQuery(where clause: String) -> String {
        """
        SELECT id, kind, amount, method, reference, idempotency_key, authorization_id, at, expires_at, order_number
        FROM payments WHERE \(clause) ORDER BY id
        """
    }

    /// The payments of a result of ``paymentsQuery(where:)``.
    static func payments(_ result: PostgresResult) throws -> [(Int64, PaymentTransaction)] {
        try result.map { r in
            (try r.int(9), PaymentTransaction(id: try r.int(0), kind: PaymentKind(rawValue: try r.string(1)) ?? .authorize, amount: try r.int(2),
                                              method: try r.string(3), reference: try r.stringOrNil(4), idempotencyKey: try r.stringOrNil(5),
                                              authorization: try r.intOrNil(6), at: Timestamp(seconds: try r.int(7)),
                                              expiresAt: try r.intOrNil(8).map { Timestamp(seconds: $0) }))
        }
    }

    // MARK: - Shipments

    /// Inserts a shipment; returns it with its id.
    package func insertShipment(_ s: Shipment) throws -> Shipment {
        let id = try rows("""
            INSERT INTO shipments (order_number, method, carrier, tracking, location, lines, state, created_at, handed_over_at, delivered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
            """, [.int(s.order), .text(s.method.rawValue), Self.value(s.carrier), Self.value(s.tracking), Self.value(s.location),
                  .text(JSON.array(s.lines.map(\.json)).compactText), .text(s.state.rawValue), .int(s.createdAt.seconds),
                  Self.value(s.handedOverAt?.seconds), Self.value(s.deliveredAt?.seconds)])[0].int(0)
        var out = s
        out.id = id
        return out
    }

    /// Writes a shipment's state and times. Queued to go out with the next statement or the
    /// COMMIT: nothing reads its result, and the row (of an order this command holds) has no
    /// key or check the new values could violate.
    package func updateShipment(_ s: Shipment) throws {
        try later("UPDATE shipments SET state = $1, tracking = $2, handed_over_at = $3, delivered_at = $4 WHERE id = $5",
                  [.text(s.state.rawValue), Self.value(s.tracking), Self.value(s.handedOverAt?.seconds), Self.value(s.deliveredAt?.seconds), .int(s.id)])
    }

    /// The order a shipment belongs to, or nil when there is no such shipment.
    package func orderOfShipment(_ id: Int64) throws -> Int64? {
        try rows("SELECT order_number FROM shipments WHERE id = $1", [.int(id)]).first?.int(0)
    }

    /// The query of the shipments matching `clause`, by id.
    static func shipmentsQuery(where clause: String) -> String {
        """
        SELECT id, order_number, method, carrier, tracking, location, lines, state, created_at, handed_over_at, delivered_at
        FROM shipments WHERE \(clause) ORDER BY id
        """
    }

    /// The shipments of a result of ``shipmentsQuery(where:)``.
    static func shipments(_ result: PostgresResult) throws -> [Shipment] {
        try result.map { r in
            Shipment(id: try r.int(0), order: try r.int(1), method: ShipmentMethod(rawValue: try r.string(2)) ?? .manual,
                     carrier: try r.stringOrNil(3), tracking: try r.stringOrNil(4), location: try r.stringOrNil(5),
                     lines: LineQuantity.list(from: Self.json(try r.string(6))), state: ShipmentState(rawValue: try r.string(7)) ?? .created,
                     createdAt: Timestamp(seconds: try r.int(8)), handedOverAt: try r.intOrNil(9).map { Timestamp(seconds: $0) },
                     deliveredAt: try r.intOrNil(10).map { Timestamp(seconds: $0) })
        }
    }

    // MARK: - Invoices and credit notes

    /// Inserts an issued invoice or credit note (append-only). Queued to go out with the next
    /// statement or the COMMIT: nothing reads its result, and its key (kind, number) was drawn
    /// under the series' row lock in this transaction.
    package func insertDocument(_ d: InvoiceDocument) throws {
        try later("""
            INSERT INTO documents (kind, number, reference, order_number, issued_at, total, credits_invoice, doc)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text(d.kind.rawValue), .int(d.number), .text(d.reference), .int(d.order), .int(d.issuedAt.seconds), .int(d.total),
                  Self.value(d.creditsInvoice), .text(d.json.compactText)])
    }

    /// One document by kind and number.
    package func document(_ kind: DocumentKind, _ number: Int64) throws -> InvoiceDocument? {
        try documents(where: "kind = $1 AND number = $2", [.text(kind.rawValue), .int(number)]).first?.1
    }

    /// Documents matching `clause` in issue order, with their order numbers.
    func documents(where clause: String, _ parameters: [PostgresValue]) throws -> [(Int64, InvoiceDocument)] {
        try Self.documents(rows(Self.documentsQuery(where: clause), parameters))
    }

    /// The query of ``documents(where:_:)``.
    static func documentsQuery(where clause: String) -> String {
        "SELECT order_number, doc FROM documents WHERE \(clause) ORDER BY issued_at, kind DESC, number"
    }

    /// The documents of a result of ``documentsQuery(where:)``.
    static func documents(_ result: PostgresResult) throws -> [(Int64, InvoiceDocument)] {
        try result.compactMap { r in
            guard let d = InvoiceDocument(stored: Self.json(try r.string(1))) else { return nil }
            return (try r.int(0), d)
        }
    }

    // MARK: - Timeline

    /// Appends a timeline event. The INSERT is queued to go out with the transaction's next
    /// statement (or its commit), in the same round trip: nothing reads its result, and the
    /// table has no key or check a well-formed event can violate (every column the NOT NULLs
    /// guard is a non-optional value here), so it fails only when the transaction does.
    package func appendTimeline(_ e: TimelineEvent) throws {
        try later("""
            INSERT INTO timeline (order_number, at, actor, command, event, from_value, to_value, amount, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [.int(e.order), .int(e.at.seconds), .text(e.actor), .text(e.command), .text(e.event), Self.value(e.from), Self.value(e.to),
                  Self.value(e.amount), e.detail.isNull ? .null : .text(e.detail.compactText)])
    }

    /// An order's events, oldest first.
    package func timeline(of order: Int64) throws -> [TimelineEvent] {
        try rows("""
            SELECT id, order_number, at, actor, command, event, from_value, to_value, amount, detail
            FROM timeline WHERE order_number = $1 ORDER BY id
            """, [.int(order)]).map { r in
            TimelineEvent(id: try r.int(0), order: try r.int(1), at: Timestamp(seconds: try r.int(2)), actor: try r.string(3),
                          command: try r.string(4), event: try r.string(5), from: try r.stringOrNil(6), to: try r.stringOrNil(7),
                          amount: try r.intOrNil(8), detail: Self.json(try r.stringOrNil(9)))
        }
    }

    // MARK: - Values

    /// An optional integer as a parameter.
    static func value(_ v: Int64?) -> PostgresValue { v.map(PostgresValue.int) ?? .null }
    /// An optional text as a parameter.
    static func value(_ v: String?) -> PostgresValue { v.map(PostgresValue.text) ?? .null }
}
