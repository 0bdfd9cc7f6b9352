import GRDB
import OrderCore

extension StoreSession {
    /// The separator around each tag in the `tags` column, so a tag is matched whole.
    static let tagSeparator = "\u{1F}"

    private func orderDoc(_ o: Order) -> String {
        var doc: JSONObject = [
            "customer": o.customer.json, "lines": .array(o.lines.map(\.json)), "delivery": o.delivery.json,
            "tags": .array(o.tags.map { .string($0) }), "note": .string(o.note),
        ]
        if o.reverseCharge { doc["reverse_charge"] = true }
        if let c = o.vatCountry { doc["vat_country"] = .string(c) }
        if !o.fees.isEmpty { doc["fees"] = .array(o.fees.map(\.json)) }
        if !o.discounts.isEmpty {
            doc["discounts"] = .array(o.discounts.map(\.json))
            doc["discount_codes"] = .array(o.discountCodes.map { .string($0) })
        }
        return JSON.object(doc).compactText
    }

    private func searchText(_ o: Order) -> String {
        let addr = [o.customer.deliveryAddress, o.customer.billingAddress].compactMap { $0?.singleLine }
        let text = ([String(o.number), o.reference, o.customer.name, o.customer.email] + addr + o.lines.map(\.sku))
            .joined(separator: " ")
        return SearchFolding.fold(text)
    }

    private func tagsColumn(_ tags: [String]) -> String {
        tags.isEmpty ? "" : StoreSession.tagSeparator + tags.joined(separator: StoreSession.tagSeparator) + StoreSession.tagSeparator
    }

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
                 o.customer.name, o.customer.email, o.delivery.method, o.delivery.carrier, tagsColumn(o.tags),
                 o.number, o.reference, o.createdAt.seconds)
        try write("INSERT INTO order_docs (number, search, doc) VALUES (?, ?, ?)", o.number, searchText(o), orderDoc(o))
    }

    /// The columns of an order row derived from its aggregate, and their values.
    private static let stateColumns = [
        "status", "payment_state", "fulfilment_state", "auth_expires_at", "auth_valid_until", "total", "authorized", "captured", "notify",
        "currency", "customer_name", "customer_email", "delivery_method", "carrier", "tags",
    ]

    private func stateValues(_ a: OrderAggregate) -> [SQLValue] {
        let o = a.order
        return [
            .text(o.status), .text(a.paymentState(at: nil).rawValue), .text(a.fulfilmentState.rawValue),
            SQLValue(a.payments.earliestOpenExpiry?.seconds), SQLValue(a.payments.authorizationsValidUntil?.seconds), .int(o.total), .int(a.payments.authorized), .int(a.payments.captured),
            SQLValue(o.notify), .text(o.currency.code), .text(o.customer.name), .text(o.customer.email), .text(o.delivery.method),
            SQLValue(o.delivery.carrier), .text(tagsColumn(o.tags)),
        ]
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
        let new = stateValues(a)
        let old = previous.map(stateValues)
        var sets = ""
        var values: [SQLValue] = []
        values.reserveCapacity(new.count + 4)
        for (i, column) in Self.stateColumns.enumerated() where old?[i] != new[i] {
            sets += column + " = ?, "
            values.append(new[i])
        }
        values += [.int(o.version), .int(o.updatedAt.seconds), .int(o.number), .int(expectedVersion)]
        try write("UPDATE orders SET \(sets)version = ?, updated_at = ? WHERE number = ? AND version = ?", values: values)
        if db.changesCount == 0 {
            throw OrderError.conflict("order \(o.number) was changed concurrently (version \(expectedVersion) is stale)")
        }
        if documentChanged {
            try write("UPDATE order_docs SET search = ?, doc = ? WHERE number = ?", searchText(o), orderDoc(o), o.number)
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
        let doc = r.storedJSON(8)
        let customer = OrderStore.customer(from: doc["customer"] ?? .null)
        let lines: [OrderLine] = (doc["lines"]?.arrayValue ?? []).compactMap(OrderLine.init(stored:))
        let currency: String = r[3]
        return Order(
            number: r[0], reference: r[1], status: r[2], customer: customer, lines: lines,
            currency: currency == "DKK" ? .dkk : Currency(code: currency) ?? .dkk, delivery: Delivery(stored: doc["delivery"] ?? .null),
            tags: (doc["tags"]?.arrayValue ?? []).compactMap(\.stringValue), note: doc["note"]?.stringValue ?? "",
            notify: r[4], version: r[5], createdAt: Timestamp(seconds: r[6]),
            updatedAt: Timestamp(seconds: r[7]),
            fees: (doc["fees"]?.arrayValue ?? []).compactMap(FeeSpec.init(stored:)),
            discounts: (doc["discounts"]?.arrayValue ?? []).compactMap(DiscountSpec.init(stored:)),
            reverseCharge: doc["reverse_charge"]?.boolValue ?? false, vatCountry: doc["vat_country"]?.stringValue)
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
                 billingAddress: address(from: j["billing_address"]), deliveryAddress: address(from: j["delivery_address"]),
                 company: j["company"]?.stringValue, vatNumber: j["vat_number"]?.stringValue)
    }
}
