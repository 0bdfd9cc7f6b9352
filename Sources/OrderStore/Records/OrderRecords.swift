import GRDB
import OrderCore

extension StoreSession {
    /// The separator around each tag in the `tags` column, so a tag is matched whole.
    static let tagSeparator = OrderRow.tagSeparator

    /// Inserts a new order (its number already drawn) with its derived columns and its document.
    package func insertOrder(_ a: OrderAggregate) throws {
        let o = a.order
        try write("""
            INSERT INTO orders (status, payment_state, fulfilment_state, auth_expires_at, auth_valid_until, total, authorized, captured,
                currency, notify, version, updated_at, customer_name, customer_email, delivery_method, carrier, tags,
                number, reference, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, o.status, a.paymentState(at: nil).rawValue, a.fulfilmentState.rawValue, a.payments.earliestOpenExpiry?.seconds,
                 a.payments.authorizationsValidUntil?.seconds,
                 o.total, a.payments.authorized, a.payments.captured, o.currency.code, o.notify, o.version, o.updatedAt.seconds,
                 o.customer.name, o.customer.email, o.delivery.method, o.delivery.carrier, OrderRow.tagsColumn(o.tags),
                 o.number, o.reference, o.createdAt.seconds)
        try write("INSERT INTO order_docs (number, search, doc) VALUES (?, ?, ?)", o.number, OrderRow.searchText(o), OrderRow.document(o))
    }

    /// Writes an order's changed fields and re-derives its state columns from the ledgers.
    /// `expectedVersion` guards against a concurrent change (`conflict` when stale).
    ///
    /// `previous` is the order as stored now, when the caller has it: then only the columns
    /// whose values differ are written. SQLite rewrites every index on a column named in
    /// SET, changed or not, and a status change named four indexed columns.
    /// `documentChanged` says whether the customer, lines, delivery, tags or note changed; only
    /// then are the document and its search text (in `order_docs`) written again.
    package func updateOrder(_ a: OrderAggregate, expectedVersion: Int64, documentChanged: Bool = true,
                            previous: OrderAggregate? = nil) throws {
        let o = a.order
        let new = OrderRow.stateValues(a)
        let old = previous.map(OrderRow.stateValues)
        var sets = ""
        var values: [SQLValue] = []
        values.reserveCapacity(new.count + 4)
        for (i, column) in OrderRow.stateColumns.enumerated() where old?[i] != new[i] {
            sets += column + " = ?, "
            values.append(new[i])
        }
        values += [.int(o.version), .int(o.updatedAt.seconds), .int(o.number), .int(expectedVersion)]
        try write("UPDATE orders SET \(sets)version = ?, updated_at = ? WHERE number = ? AND version = ?", values: values)
        if db.changesCount == 0 {
            throw OrderError.conflict("order \(o.number) was changed concurrently (version \(expectedVersion) is stale)")
        }
        if documentChanged {
            try write("UPDATE order_docs SET search = ?, doc = ? WHERE number = ?", OrderRow.searchText(o), OrderRow.document(o), o.number)
        }
    }

    /// Loads an order with its payments, shipments and documents, or nil. A read of an order
    /// whose version has not changed since it was last read is served from the cache.
    package func loadAggregate(_ number: Int64) throws -> OrderAggregate? {
        if let cache {
            guard let version = try mapRows("SELECT version FROM orders WHERE number = ?", [number], { $0[0] as Int64 }).first
            else { return nil }
            if let hit = cache.get(number, version: version) { return hit }
            let a = try loadAggregateUncached(number)
            if isRead, let a { cache.put(a) }
            return a
        }
        return try loadAggregateUncached(number)
    }

    /// The columns an `Order` is read from: the order row and its document.
    private static let orderColumns = """
        o.number, o.reference, o.status, o.currency, o.notify, o.version, o.created_at, o.updated_at, d.doc
        FROM orders o JOIN order_docs d ON d.number = o.number
        """

    /// An order from a row of `orderColumns` (by index: GRDB's lookup by name folds case on every access).
    private func order(from r: Row) -> Order {
        OrderRow.order(number: r[0], reference: r[1], status: r[2], currency: r[3], notify: r[4], version: r[5],
                       createdAt: r[6], updatedAt: r[7], document: r.storedJSON(8))
    }

    private func loadAggregateUncached(_ number: Int64) throws -> OrderAggregate? {
        guard let order = try mapRows("SELECT \(Self.orderColumns) WHERE o.number = ?", [number], order(from:)).first
        else { return nil }
        return OrderAggregate(order: order, payments: PaymentLedger(try payments(of: number)),
                              shipments: try shipments(of: number), documents: try documents(of: number))
    }

    /// Loads many orders with their payments, shipments and documents in four queries, where
    /// `loadAggregate` needs five per order (a batch of `orders.mass_update` spent a third of
    /// its time there). Orders that do not exist are absent from the result. Bypasses the cache.
    package func loadAggregates(_ numbers: [Int64]) throws -> [Int64: OrderAggregate] {
        guard !numbers.isEmpty else { return [:] }
        let list: StatementArguments = ["[" + numbers.map(String.init).joined(separator: ",") + "]"]
        let members = "IN (SELECT value FROM json_each(?))"
        var payments: [Int64: [PaymentTransaction]] = [:]
        for (n, p) in try mapRows("SELECT \(Self.paymentColumns), order_number FROM payments WHERE order_number \(members) ORDER BY id",
                                  list, { ($0[9] as Int64, payment(from: $0)) }) {
            payments[n, default: []].append(p)
        }
        var shipments: [Int64: [Shipment]] = [:]
        for s in try mapRows("SELECT \(Self.shipmentColumns) FROM shipments WHERE order_number \(members) ORDER BY id",
                             list, shipment(from:)) {
            shipments[s.order, default: []].append(s)
        }
        var documents: [Int64: [InvoiceDocument]] = [:]
        for (n, d) in try mapRows("SELECT order_number, doc FROM documents WHERE order_number \(members) ORDER BY issued_at, kind DESC, number",
                                  list, { ($0[0] as Int64, InvoiceDocument(stored: JSON.stored($0[1]))) }) {
            if let d { documents[n, default: []].append(d) }
        }
        var out: [Int64: OrderAggregate] = [:]
        out.reserveCapacity(numbers.count)
        for o in try mapRows("SELECT \(Self.orderColumns) WHERE o.number \(members)", list, order(from:)) {
            out[o.number] = OrderAggregate(order: o, payments: PaymentLedger(payments[o.number] ?? []),
                                           shipments: shipments[o.number] ?? [], documents: documents[o.number] ?? [])
        }
        return out
    }

    /// Whether order `number` exists.
    package func orderExists(_ number: Int64) throws -> Bool {
        try row("SELECT 1 FROM orders WHERE number = ?", [number]) != nil
    }
}
