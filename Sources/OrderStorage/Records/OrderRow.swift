import OrderCore

/// A value of an order row's column, compared to write only the columns that changed.
/// Each backend binds it its own way (SQLite straight to the statement, PostgreSQL as a
/// parameter).
package enum StoredValue: Equatable, Sendable {
    case int(Int64), text(String), null

    /// An integer, or NULL.
    package init(_ v: Int64?) { self = v.map { .int($0) } ?? .null }
    /// A text, or NULL.
    package init(_ v: String?) { self = v.map { .text($0) } ?? .null }
    /// A flag as both stores keep it: 1 or 0.
    package init(_ v: Bool) { self = .int(v ? 1 : 0) }
}

/// How an order is laid out in the stores' tables, written once for every backend so that
/// SQLite and PostgreSQL store the same row for the same order (and `oe store copy` moves
/// one into the other unchanged).
///
/// An order is two rows: `orders` holds its identity and the columns derived from its
/// ledgers (``stateColumns``, what `order.find` filters on), `order_docs` its document
/// (customer, lines, delivery, tags, note, fees, discounts as JSON) and its folded search text.
package enum OrderRow {
    /// The separator around each tag in the `tags` column, so a tag is matched whole.
    package static let tagSeparator = "\u{1F}"

    /// The order's document: everything of it not in a column of its own.
    package static func document(_ o: Order) -> String {
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

    /// The text an order is found by (number, reference, customer name and e-mail, addresses,
    /// SKUs), folded (``SearchFolding``) as the words of a query are.
    package static func searchText(_ o: Order) -> String {
        let addr = [o.customer.deliveryAddress, o.customer.billingAddress].compactMap { $0?.singleLine }
        let text = ([String(o.number), o.reference, o.customer.name, o.customer.email] + addr + o.lines.map(\.sku))
            .joined(separator: " ")
        return SearchFolding.fold(text)
    }

    /// The `tags` column: every tag between separators, empty without tags.
    package static func tagsColumn(_ tags: [String]) -> String {
        tags.isEmpty ? "" : tagSeparator + tags.joined(separator: tagSeparator) + tagSeparator
    }

    /// The tags of a `tags` column.
    package static func tags(fromColumn column: String) -> [String] {
        column.isEmpty ? [] : column.split(separator: Character(tagSeparator)).map(String.init)
    }

    /// The columns of an order row derived from its aggregate, in the order of ``stateValues(_:)``.
    package static let stateColumns = [
        "status", "payment_state", "fulfilment_state", "auth_expires_at", "auth_valid_until", "total", "authorized", "captured", "notify",
        "currency", "customer_name", "customer_email", "delivery_method", "carrier", "tags",
    ]

    /// The values of ``stateColumns`` for `a`: the stored payment state (expiry is applied
    /// when read), the fulfilment state, the expiries and sums of the payment ledger.
    package static func stateValues(_ a: OrderAggregate) -> [StoredValue] {
        let o = a.order
        return [
            .text(o.status), .text(a.paymentState(at: nil).rawValue), .text(a.fulfilmentState.rawValue),
            StoredValue(a.payments.earliestOpenExpiry?.seconds), StoredValue(a.payments.authorizationsValidUntil?.seconds),
            .int(o.total), .int(a.payments.authorized), .int(a.payments.captured),
            StoredValue(o.notify), .text(o.currency.code), .text(o.customer.name), .text(o.customer.email), .text(o.delivery.method),
            StoredValue(o.delivery.carrier), .text(tagsColumn(o.tags)),
        ]
    }

    /// An order from its row's own columns and its parsed document.
    package static func order(number: Int64, reference: String, status: String, currency: String, notify: Bool, version: Int64,
                              createdAt: Int64, updatedAt: Int64, document doc: JSON) -> Order {
        Order(
            number: number, reference: reference, status: status, customer: customer(from: doc["customer"] ?? .null),
            lines: (doc["lines"]?.arrayValue ?? []).compactMap(OrderLine.init(stored:)),
            currency: currency == "DKK" ? .dkk : Currency(code: currency) ?? .dkk, delivery: Delivery(stored: doc["delivery"] ?? .null),
            tags: (doc["tags"]?.arrayValue ?? []).compactMap(\.stringValue), note: doc["note"]?.stringValue ?? "",
            notify: notify, version: version, createdAt: Timestamp(seconds: createdAt), updatedAt: Timestamp(seconds: updatedAt),
            fees: (doc["fees"]?.arrayValue ?? []).compactMap(FeeSpec.init(stored:)),
            discounts: (doc["discounts"]?.arrayValue ?? []).compactMap(DiscountSpec.init(stored:)),
            reverseCharge: doc["reverse_charge"]?.boolValue ?? false, vatCountry: doc["vat_country"]?.stringValue)
    }

    /// An address of a stored customer, nil when incomplete.
    package static func address(from j: JSON?) -> Address? {
        guard let j, let street = j["street"]?.stringValue, let pc = j["postal_code"]?.stringValue, let city = j["city"]?.stringValue
        else { return nil }
        return Address(name: j["name"]?.stringValue, street: street, street2: j["street2"]?.stringValue, postalCode: pc,
                       city: city, country: j["country"]?.stringValue ?? "DK")
    }

    /// A customer from its stored JSON.
    package static func customer(from j: JSON) -> Customer {
        Customer(name: j["name"]?.stringValue ?? "", email: j["email"]?.stringValue ?? "", phone: j["phone"]?.stringValue,
                 language: j["language"]?.stringValue.flatMap(Language.init(rawValue:)) ?? .da,
                 billingAddress: address(from: j["billing_address"]), deliveryAddress: address(from: j["delivery_address"]),
                 company: j["company"]?.stringValue, vatNumber: j["vat_number"]?.stringValue)
    }
}
