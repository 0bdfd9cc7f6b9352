import GRDB
import OrderCore

extension StoreSession {
    /// The separator around each tag in the `tags` column, so a tag is matched whole.
    static let tagSeparator = "\u{1F}"

    private func orderDoc(_ o: Order) -> String {
        let doc: JSON = [
            "customer": o.customer.json, "lines": .array(o.lines.map(\.json)), "delivery": o.delivery.json,
            "tags": .array(o.tags.map { .string($0) }), "note": .string(o.note),
        ]
        return doc.compactText
    }

    private func searchText(_ o: Order) -> String {
        let addr = [o.customer.deliveryAddress, o.customer.billingAddress].compactMap { $0?.singleLine }
        return ([String(o.number), o.reference, o.customer.name, o.customer.email] + addr + o.lines.map(\.sku))
            .joined(separator: " ").lowercased()
    }

    private func tagsColumn(_ tags: [String]) -> String {
        tags.isEmpty ? "" : StoreSession.tagSeparator + tags.joined(separator: StoreSession.tagSeparator) + StoreSession.tagSeparator
    }

    private func derivedArguments(_ a: OrderAggregate) -> [(any DatabaseValueConvertible)?] {
        let o = a.order
        return [
            o.status, a.paymentState(at: nil).rawValue, a.fulfilmentState.rawValue, a.payments.earliestOpenExpiry?.seconds,
            o.total, a.payments.authorized, a.payments.captured, o.currency.code, o.notify, o.version, o.updatedAt.seconds,
            o.customer.name, o.customer.email, o.delivery.method, o.delivery.carrier, tagsColumn(o.tags), searchText(o), orderDoc(o),
        ]
    }

    /// Inserts a new order (its number already drawn) with its derived columns.
    public func insertOrder(_ a: OrderAggregate) throws {
        let o = a.order
        try exec("""
            INSERT INTO orders (status, payment_state, fulfilment_state, auth_expires_at, total, authorized, captured, currency,
                notify, version, updated_at, customer_name, customer_email, delivery_method, carrier, tags, search, doc,
                number, reference, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, StatementArguments(derivedArguments(a) + [o.number, o.reference, o.createdAt.seconds]))
    }

    /// Writes an order's changed fields and re-derives its state columns from the ledgers.
    /// `expectedVersion` guards against a concurrent change (`conflict` when stale).
    /// `documentChanged` says whether the customer, lines, delivery, tags or note changed; when
    /// not, the stored document and search text are left as they are (most updates are status
    /// and ledger changes, and encoding them again was a measurable share of a status change).
    public func updateOrder(_ a: OrderAggregate, expectedVersion: Int64, documentChanged: Bool = true) throws {
        if !documentChanged {
            let o = a.order
            try exec("""
                UPDATE orders SET status = ?, payment_state = ?, fulfilment_state = ?, auth_expires_at = ?, total = ?, authorized = ?,
                    captured = ?, notify = ?, version = ?, updated_at = ?
                WHERE number = ? AND version = ?
                """, [o.status, a.paymentState(at: nil).rawValue, a.fulfilmentState.rawValue, a.payments.earliestOpenExpiry?.seconds,
                      o.total, a.payments.authorized, a.payments.captured, o.notify, o.version, o.updatedAt.seconds,
                      o.number, expectedVersion])
            if db.changesCount == 0 {
                throw OrderError.conflict("order \(o.number) was changed concurrently (version \(expectedVersion) is stale)")
            }
            return
        }
        try exec("""
            UPDATE orders SET status = ?, payment_state = ?, fulfilment_state = ?, auth_expires_at = ?, total = ?, authorized = ?,
                captured = ?, currency = ?, notify = ?, version = ?, updated_at = ?, customer_name = ?, customer_email = ?,
                delivery_method = ?, carrier = ?, tags = ?, search = ?, doc = ?
            WHERE number = ? AND version = ?
            """, StatementArguments(derivedArguments(a) + [a.order.number, expectedVersion]))
        if db.changesCount == 0 {
            throw OrderError.conflict("order \(a.order.number) was changed concurrently (version \(expectedVersion) is stale)")
        }
    }

    /// Loads an order with its payments, shipments and documents, or nil. A read of an order
    /// whose version has not changed since it was last read is served from the cache.
    public func loadAggregate(_ number: Int64) throws -> OrderAggregate? {
        if let cache {
            guard let version: Int64 = try row("SELECT version FROM orders WHERE number = ?", [number])?[0] else { return nil }
            if let hit = cache.get(number, version: version) { return hit }
            let a = try loadAggregateUncached(number)
            if isRead, let a { cache.put(a) }
            return a
        }
        return try loadAggregateUncached(number)
    }

    private func loadAggregateUncached(_ number: Int64) throws -> OrderAggregate? {
        guard let r = try row("""
            SELECT number, reference, status, currency, notify, version, created_at, updated_at, doc FROM orders WHERE number = ?
            """, [number])
        else { return nil }
        // Columns by index: GRDB's lookup by name folds case on every access.
        let doc = JSON.stored(r[8])
        let customer = OrderStore.customer(from: doc["customer"] ?? .null)
        let lines: [OrderLine] = (doc["lines"]?.arrayValue ?? []).compactMap { j in
            guard let sku = j["sku"]?.stringValue, let name = j["name"]?.stringValue, let qty = j["qty"]?.intValue,
                  let up = j["unit_price"]?.intValue, let rate = j["vat_rate"]?.intValue else { return nil }
            return OrderLine(sku: sku, name: name, qty: qty, unitPrice: up, vatRate: rate, prepayable: j["prepayable"]?.boolValue ?? false)
        }
        let currency: String = r[3]
        let order = Order(
            number: r[0], reference: r[1], status: r[2], customer: customer, lines: lines,
            currency: currency == "DKK" ? .dkk : Currency(code: currency) ?? .dkk, delivery: Delivery(stored: doc["delivery"] ?? .null),
            tags: (doc["tags"]?.arrayValue ?? []).compactMap(\.stringValue), note: doc["note"]?.stringValue ?? "",
            notify: r[4], version: r[5], createdAt: Timestamp(seconds: r[6]),
            updatedAt: Timestamp(seconds: r[7]))
        return OrderAggregate(order: order, payments: PaymentLedger(try payments(of: number)),
                              shipments: try shipments(of: number), documents: try documents(of: number))
    }

    /// Whether order `number` exists.
    public func orderExists(_ number: Int64) throws -> Bool {
        try row("SELECT 1 FROM orders WHERE number = ?", [number]) != nil
    }
}

extension OrderStore {
    static func address(from j: JSON?) -> Address? {
        guard let j, let street = j["street"]?.stringValue, let pc = j["postal_code"]?.stringValue, let city = j["city"]?.stringValue
        else { return nil }
        return Address(name: j["name"]?.stringValue, street: street, street2: j["street2"]?.stringValue, postalCode: pc,
                       city: city, country: j["country"]?.stringValue ?? "DK")
    }

    static func customer(from j: JSON) -> Customer {
        Customer(name: j["name"]?.stringValue ?? "", email: j["email"]?.stringValue ?? "", phone: j["phone"]?.stringValue,
                 language: j["language"]?.stringValue.flatMap(Language.init(rawValue:)) ?? .da,
                 billingAddress: address(from: j["billing_address"]), deliveryAddress: address(from: j["delivery_address"]))
    }
}
