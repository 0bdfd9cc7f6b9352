import OrderCore
import OrderStorage
import PostgresClient

extension StoredValue {
    /// The value as a statement parameter.
    var postgres: PostgresValue {
        switch self {
        case .int(let v): .int(v)
        case .text(let v): .text(v)
        case .null: .null
        }
    }
}

extension PostgresTransaction {
    /// The folded search text the GIN index reads (`order_docs.search_folded`): the stored
    /// search text split into the words the index holds, as `oe store copy` writes it (``PostgresSearch/indexed(_:)``).
    static func searchFolded(_ search: String) -> String { PostgresSearch.indexed(search) }

    /// Inserts a new order (its number already drawn) with its derived columns and its document.
    package func insertOrder(_ a: OrderAggregate) throws {
        let o = a.order
        let columns = OrderRow.stateColumns + ["version", "updated_at", "number", "reference", "created_at"]
        let values = OrderRow.stateValues(a).map(\.postgres)
            + [.int(o.version), .int(o.updatedAt.seconds), .int(o.number), .text(o.reference), .int(o.createdAt.seconds)]
        // Both INSERTs are queued to go out with the next statement or the COMMIT (no round
        // trip of their own): nothing reads their results, and the only key they could violate
        // is the number, which was drawn under the series' row lock in this transaction.
        try later("INSERT INTO orders (\(columns.joined(separator: ", "))) VALUES ("
                  + (1...columns.count).map { "$\($0)" }.joined(separator: ", ") + ")", values)
        let search = OrderRow.searchText(o)
        try later("INSERT INTO order_docs (number, search, search_folded, doc) VALUES ($1, $2, $3, $4)",
                  [.int(o.number), .text(search), .text(Self.searchFolded(search)), .text(OrderRow.document(o))])
        health.lockedVersions[o.number] = .some(o.version)
    }

    /// Writes an order's changed fields and re-derives its state columns from the ledgers, as
    /// the SQLite store does: only the columns that differ from `previous` (all without it);
    /// `conflict` when `expectedVersion` is stale; the document only when `documentChanged`.
    package func updateOrder(_ a: OrderAggregate, expectedVersion: Int64, documentChanged: Bool, previous: OrderAggregate?) throws {
        let o = a.order
        let new = OrderRow.stateValues(a)
        let old = previous.map(OrderRow.stateValues)
        var sets = ""
        var values: [PostgresValue] = []
        for (i, column) in OrderRow.stateColumns.enumerated() where old?[i] != new[i] {
            values.append(new[i].postgres)
            sets += "\(column) = $\(values.count), "
        }
        values += [.int(o.version), .int(o.updatedAt.seconds), .int(o.number), .int(expectedVersion)]
        let n = values.count
        if case .some(.some(expectedVersion)) = health.lockedVersions[o.number] {
            // This transaction holds the order's row lock and read `expectedVersion` under it:
            // no other writer can have moved the version, so the UPDATE is queued to go out with
            // the next statement or the COMMIT, in its round trip. Should the version differ
            // all the same, the statement fails on the server (a cast error naming
            // ``versionGuardMarker``), which aborts the transaction: nothing of it commits,
            // and the store reports `conflict`.
            try later("""
                UPDATE orders SET \(sets)version = CASE WHEN version = $\(n) THEN $\(n - 3)
                    ELSE ('\(Self.versionGuardMarker) ' || number || ' ' || version)::bigint END,
                    updated_at = $\(n - 2) WHERE number = $\(n - 1)
                """, values)
        } else {
            let r = try rows("UPDATE orders SET \(sets)version = $\(n - 3), updated_at = $\(n - 2) WHERE number = $\(n - 1) AND version = $\(n)", values)
            if r.rowsAffected == 0 {
                throw OrderError.conflict("order \(o.number) was changed concurrently (version \(expectedVersion) is stale)")
            }
        }
        if health.lockedVersions[o.number] != nil { health.lockedVersions[o.number] = o.version }
        if documentChanged {
            // Queued too: the order's row is there (this transaction updated or locked it).
            let search = OrderRow.searchText(o)
            try later("UPDATE order_docs SET search = $1, search_folded = $2, doc = $3 WHERE number = $4",
                      [.text(search), .text(Self.searchFolded(search)), .text(OrderRow.document(o)), .int(o.number)])
        }
    }

    /// The text in the error of a queued order UPDATE whose version check failed on the server
    /// (see ``updateOrder(_:expectedVersion:documentChanged:previous:)``), which the store
    /// reports as `conflict`.
    static let versionGuardMarker = "oe_order_version_changed"

    /// An order with its payments, shipments and documents, or nil. Served from the cache when
    /// the order's version now (in this transaction: known from its lock, else read) is the
    /// cached one; added to it only from read transactions, whose snapshot is consistent and
    /// committed. A miss reads the order and its three ledgers in one round trip.
    package func loadAggregate(_ number: Int64) throws -> OrderAggregate? {
        if let queued = health.queuedLock, queued.number == number, queued.sends == connection.sendCount {
            // The lock goes out now, ahead of the load: one round trip for both. The order row
            // read under the lock holds its version.
            health.queuedLock = nil
            let a = try loadAggregateUncached(number)
            health.lockedVersions[number] = .some(a?.order.version)
            return a
        }
        if let cache {
            let version: Int64?
            if let locked = health.lockedVersions[number] {
                version = locked
            } else {
                version = try rows("SELECT version FROM orders WHERE number = $1", [.int(number)]).first?.int(0)
            }
            guard let version else { return nil }
            if let hit = cache.get(number, version: version) { return hit }
            let a = try loadAggregateUncached(number)
            if isRead, let a { cache.put(a) }
            return a
        }
        return try loadAggregateUncached(number)
    }

    static let orderColumns = """
        o.number, o.reference, o.status, o.currency, o.notify, o.version, o.created_at, o.updated_at, d.doc
        FROM orders o JOIN order_docs d ON d.number = o.number
        """

    static func order(_ r: PostgresRow) throws -> Order {
        OrderRow.order(number: try r.int(0), reference: try r.string(1), status: try r.string(2), currency: try r.string(3),
                       notify: try r.int(4) != 0, version: try r.int(5), createdAt: try r.int(6), updatedAt: try r.int(7),
                       document: Self.json(try r.string(8)))
    }

    /// The order and its ledgers read in one round trip (four statements in a pipeline; under
    /// read committed each sees what was committed when it began, which for an order this
    /// transaction has locked is everything: every writer of its ledgers holds the same lock).
    func loadAggregateUncached(_ number: Int64) throws -> OrderAggregate? {
        let key: [PostgresValue] = [.int(number)]
        let r = try batch([("SELECT \(Self.orderColumns) WHERE o.number = $1", key),
                           (Self.paymentsQuery(where: "order_number = $1"), key),
                           (Self.shipmentsQuery(where: "order_number = $1"), key),
                           (Self.documentsQuery(where: "order_number = $1"), key)])
        guard let order = try r[0].first.map(Self.order) else { return nil }
        return OrderAggregate(order: order, payments: PaymentLedger(try Self.payments(r[1]).map(\.1)),
                              shipments: try Self.shipments(r[2]), documents: try Self.documents(r[3]).map(\.1))
    }

    /// Many orders at once, in four queries sent in one round trip; numbers that do not exist
    /// are absent. Bypasses the cache.
    package func loadAggregates(_ numbers: [Int64]) throws -> [Int64: OrderAggregate] {
        guard !numbers.isEmpty else { return [:] }
        let list: [PostgresValue] = [.text("{" + numbers.map(String.init).joined(separator: ",") + "}")]
        let members = "order_number = ANY($1::bigint[])"
        let r = try batch([("SELECT \(Self.orderColumns) WHERE o.number = ANY($1::bigint[])", list),
                           (Self.paymentsQuery(where: members), list),
                           (Self.shipmentsQuery(where: members), list),
                           (Self.documentsQuery(where: members), list)])
        var payments: [Int64: [PaymentTransaction]] = [:]
        for (n, p) in try Self.payments(r[1]) { payments[n, default: []].append(p) }
        var shipments: [Int64: [Shipment]] = [:]
        for s in try Self.shipments(r[2]) { shipments[s.order, default: []].append(s) }
        var documents: [Int64: [InvoiceDocument]] = [:]
        for (n, d) in try Self.documents(r[3]) { documents[n, default: []].append(d) }
        var out: [Int64: OrderAggregate] = [:]
        for r in r[0] {
            let o = try Self.order(r)
            out[o.number] = OrderAggregate(order: o, payments: PaymentLedger(payments[o.number] ?? []),
                                           shipments: shipments[o.number] ?? [], documents: documents[o.number] ?? [])
        }
        return out
    }

    /// Whether order `number` exists.
    package func orderExists(_ number: Int64) throws -> Bool {
        try rows("SELECT 1 FROM orders WHERE number = $1", [.int(number)]).count > 0
    }
}
