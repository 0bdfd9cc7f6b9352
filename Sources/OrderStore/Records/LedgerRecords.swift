import GRDB
import OrderCore

extension StoreSession {
    // MARK: - Payments

    /// The order whose payment row carries idempotency key `key` (keys are unique across the
    /// whole ledger), or nil.
    package func orderOfPayment(idempotencyKey key: String) throws -> Int64? {
        try row("SELECT order_number FROM payments WHERE idempotency_key = ?", [key])?[0]
    }

    /// Appends a payment row; returns it with its id.
    package func appendPayment(order: Int64, _ p: PaymentTransaction) throws -> PaymentTransaction {
        try write("""
            INSERT INTO payments (order_number, kind, amount, method, reference, idempotency_key, authorization_id, at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, order, p.kind.rawValue, p.amount, p.method, p.reference, p.idempotencyKey, p.authorization, p.at.seconds, p.expiresAt?.seconds)
        var out = p
        out.id = lastInsertedId
        return out
    }

    static let paymentColumns = "id, kind, amount, method, reference, idempotency_key, authorization_id, at, expires_at"

    /// A payment from a row of `paymentColumns`.
    func payment(from r: Row) -> PaymentTransaction {
        PaymentTransaction(id: r[0], kind: PaymentKind(rawValue: r[1]) ?? .authorize, amount: r[2], method: r[3], reference: r[4],
                           idempotencyKey: r[5], authorization: r[6], at: Timestamp(seconds: r[7]), expiresAt: Timestamp(r[8] as Int64?))
    }

    func payments(of order: Int64) throws -> [PaymentTransaction] {
        try mapRows("SELECT \(Self.paymentColumns) FROM payments WHERE order_number = ? ORDER BY id", [order], payment(from:))
    }

    // MARK: - Shipments

    /// Inserts a shipment; returns it with its id.
    package func insertShipment(_ s: Shipment) throws -> Shipment {
        try write("""
            INSERT INTO shipments (order_number, method, carrier, tracking, location, lines, state, created_at, handed_over_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, s.order, s.method.rawValue, s.carrier, s.tracking, s.location, JSON.array(s.lines.map(\.json)).compactText,
                 s.state.rawValue, s.createdAt.seconds, s.handedOverAt?.seconds, s.deliveredAt?.seconds)
        var out = s
        out.id = lastInsertedId
        return out
    }

    /// Writes a shipment's state and times.
    package func updateShipment(_ s: Shipment) throws {
        try write("UPDATE shipments SET state = ?, tracking = ?, handed_over_at = ?, delivered_at = ? WHERE id = ?",
                  s.state.rawValue, s.tracking, s.handedOverAt?.seconds, s.deliveredAt?.seconds, s.id)
    }

    /// The order a shipment belongs to, or nil when there is no such shipment.
    package func orderOfShipment(_ id: Int64) throws -> Int64? {
        try row("SELECT order_number FROM shipments WHERE id = ?", [id])?[0]
    }

    static let shipmentColumns =
        "id, order_number, method, carrier, tracking, location, lines, state, created_at, handed_over_at, delivered_at"

    /// A shipment from a row of `shipmentColumns`.
    func shipment(from r: Row) -> Shipment {
        Shipment(id: r[0], order: r[1], method: ShipmentMethod(rawValue: r[2]) ?? .manual, carrier: r[3], tracking: r[4],
                 location: r[5], lines: LineQuantity.list(from: JSON.stored(r[6])), state: ShipmentState(rawValue: r[7]) ?? .created,
                 createdAt: Timestamp(seconds: r[8]), handedOverAt: Timestamp(r[9] as Int64?), deliveredAt: Timestamp(r[10] as Int64?))
    }

    func shipments(of order: Int64) throws -> [Shipment] {
        try mapRows("SELECT \(Self.shipmentColumns) FROM shipments WHERE order_number = ? ORDER BY id", [order], shipment(from:))
    }

    // MARK: - Invoices and credit notes

    /// Inserts an issued invoice or credit note (append-only).
    package func insertDocument(_ d: InvoiceDocument) throws {
        try write("""
            INSERT INTO documents (kind, number, reference, order_number, issued_at, total, credits_invoice, doc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, d.kind.rawValue, d.number, d.reference, d.order, d.issuedAt.seconds, d.total, d.creditsInvoice, d.json.compactText)
    }

    /// One document by kind and number.
    package func document(_ kind: DocumentKind, _ number: Int64) throws -> InvoiceDocument? {
        try row("SELECT doc FROM documents WHERE kind = ? AND number = ?", [kind.rawValue, number])
            .flatMap { InvoiceDocument(stored: JSON.stored($0[0])) }
    }

    func documents(of order: Int64) throws -> [InvoiceDocument] {
        try mapRows("SELECT doc FROM documents WHERE order_number = ? ORDER BY issued_at, kind DESC, number", [order]) {
            InvoiceDocument(stored: JSON.stored($0[0]))
        }.compactMap { $0 }
    }

    // MARK: - Timeline

    /// Appends a timeline event.
    package func appendTimeline(_ e: TimelineEvent) throws {
        try write("""
            INSERT INTO timeline (order_number, at, actor, command, event, from_value, to_value, amount, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, e.order, e.at.seconds, e.actor, e.command, e.event, e.from, e.to, e.amount, e.detail.isNull ? nil : e.detail.compactText)
    }

    /// An order's events, oldest first.
    package func timeline(of order: Int64) throws -> [TimelineEvent] {
        try rows("""
            SELECT id, order_number, at, actor, command, event, from_value, to_value, amount, detail
            FROM timeline WHERE order_number = ? ORDER BY id
            """, [order]).map { r in
            TimelineEvent(id: r[0], order: r[1], at: Timestamp(seconds: r[2]), actor: r[3], command: r[4], event: r[5],
                          from: r[6], to: r[7], amount: r[8], detail: JSON.stored(r[9]))
        }
    }
}
