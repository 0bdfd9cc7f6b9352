import GRDB
import OrderCore

extension StoreSession {
    private static let summaryColumns = """
        number, reference, status, payment_state, fulfilment_state, auth_expires_at, total, authorized, captured, currency,
        customer_name, customer_email, delivery_method, carrier, tags, created_at, updated_at, version,
        auth_valid_until
        """

    /// Columns by index, in `summaryColumns` order: GRDB's lookup by name folds the case of
    /// every name on every access, which was most of the cost of a page of 1,000.
    private func summary(_ r: Row) -> OrderSummary {
        let tags: String = r[14]
        return OrderSummary(
            number: r[0], reference: r[1], status: r[2],
            paymentState: PaymentState(rawValue: r[3]) ?? .none,
            fulfilmentState: FulfilmentState(rawValue: r[4]) ?? .unshipped,
            authExpiresAt: Timestamp(r[5] as Int64?), authValidUntil: Timestamp(r[18] as Int64?),
            total: r[6], authorized: r[7], captured: r[8], currency: r[9], customerName: r[10], customerEmail: r[11],
            deliveryMethod: r[12], carrier: r[13],
            tags: tags.isEmpty ? [] : tags.split(separator: Character(StoreSession.tagSeparator)).map(String.init),
            createdAt: Timestamp(seconds: r[15]), updatedAt: Timestamp(seconds: r[16]), version: r[17])
    }

    /// The WHERE clause and arguments for a filter at time `now`. With `textJoined`, the text
    /// filter is left out: the caller joins `orders_fts` and matches it there.
    private func whereClause(_ f: OrderFilter, now: Timestamp, textJoined: Bool = false) -> (String, [(any DatabaseValueConvertible)?]) {
        var parts: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        func list(_ column: String, _ values: [String]) {
            parts.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
            args += values
        }
        if let s = f.statuses, !s.isEmpty { list("status", s) }
        if let ps = f.paymentStates, !ps.isEmpty {
            var ors: [String] = []
            for p in ps {
                switch p {
                // PaymentLedger.state(stored:validUntil:at:) in SQL. auth_expires_at (indexed) is
                // never later than auth_valid_until, so it narrows the expired ones first.
                case .expired:
                    ors.append("(payment_state IN ('authorized', 'partially_authorized') AND auth_expires_at <= ? AND auth_valid_until <= ?)")
                    args += [now.seconds, now.seconds]
                case .authorized, .partially_authorized:
                    // Stored as such; read as expired once every open authorisation ran out.
                    ors.append("(payment_state = ? AND (auth_valid_until IS NULL OR auth_valid_until > ?))")
                    args += [p.rawValue, now.seconds]
                default:
                    ors.append("payment_state = ?")
                    args.append(p.rawValue)
                }
            }
            parts.append("(" + ors.joined(separator: " OR ") + ")")
        }
        if let fs = f.fulfilmentStates, !fs.isEmpty { list("fulfilment_state", fs.map(\.rawValue)) }
        if let from = f.createdFrom { parts.append("created_at >= ?"); args.append(from.seconds) }
        if let to = f.createdTo { parts.append("created_at < ?"); args.append(to.seconds) }
        if !textJoined, let t = f.text, let query = StoreSession.ftsQuery(t) {
            parts.append("number IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)")
            args.append(query)
        }
        for tag in f.tags ?? [] {
            parts.append("instr(tags, ?) > 0")
            args.append(StoreSession.tagSeparator + tag + StoreSession.tagSeparator)
        }
        if let m = f.deliveryMethod { parts.append("delivery_method = ?"); args.append(m) }
        if let c = f.carrier { parts.append("carrier = ?"); args.append(c) }
        if let code = f.discountCode {
            parts.append("number IN (SELECT d.number FROM order_docs d, json_each(d.doc, '$.discount_codes') j WHERE j.value = ?)")
            args.append(code.uppercased())
        }
        if let n = f.numbers {
            parts.append("number IN (\(n.isEmpty ? "NULL" : n.map { _ in "?" }.joined(separator: ",")))")
            args += n
        }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }

    /// The FTS5 query for free text: the terms of `SearchFolding.terms` (every word whole, in
    /// any order; the last one, from three characters, also a prefix: `jens hol` finds "Jens
    /// Holm", `mette@exam` finds mette@example.dk), each a quoted phrase, the prefix starred.
    /// Nil when the text has no word at all (the filter then selects nothing extra).
    static func ftsQuery(_ text: String) -> String? {
        let terms = SearchFolding.terms(text)
        guard !terms.isEmpty else { return nil }
        return terms.map { "\"" + $0.word + ($0.prefix ? "\"*" : "\"") }.joined(separator: " ")
    }

    /// One page of orders matching `filter`, and the cursor of the next page (nil on the last).
    /// Keyset paging: a page starts strictly after the cursor's (sort value, number), so rows
    /// inserted meanwhile never shift or repeat earlier results.
    package func findOrders(_ filter: OrderFilter, page: OrderPage, now: Timestamp) throws -> (orders: [OrderSummary], next: String?) {
        // Text search in number order is driven by the full-text index, which yields its
        // matches in number order: the page ends after `limit` matches instead of after
        // every match is collected and sorted (18 ms for a common name in a million orders).
        let ftsQuery = page.sort == .number ? filter.text.flatMap(StoreSession.ftsQuery) : nil
        var (clause, args) = whereClause(filter, now: now, textJoined: ftsQuery != nil)
        var from = "orders"
        if let ftsQuery {
            from = "orders_fts CROSS JOIN orders ON orders.number = orders_fts.rowid"
            clause = "orders_fts MATCH ? AND " + clause
            args.insert(ftsQuery, at: 0)
        }
        let col = page.sort == .number ? (ftsQuery != nil ? "orders_fts.rowid" : "number") : page.sort.rawValue
        let cmp = page.descending ? "<" : ">"
        if let (v, n) = try page.position() {
            if page.sort == .number {
                clause += " AND \(col) \(cmp) ?"
                args.append(n)
            } else {
                clause += " AND (\(col) \(cmp) ? OR (\(col) = ? AND number \(cmp) ?))"
                args += [v, v, n]
            }
        }
        let dir = page.descending ? "DESC" : "ASC"
        let order = page.sort == .number ? "\(col) \(dir)" : "\(col) \(dir), number \(dir)"
        args.append(page.limit + 1)
        let fetched = try mapRows("SELECT \(StoreSession.summaryColumns) FROM \(from) WHERE \(clause) ORDER BY \(order) LIMIT ?",
                                  StatementArguments(args), summary)
        return page.page(of: fetched)
    }

    /// The numbers of every order matching `filter`, ascending (for `orders.mass_update`, which
    /// selects first and updates after, so it reads no more than it needs).
    package func findOrderNumbers(_ filter: OrderFilter, now: Timestamp, limit: Int64?) throws -> [Int64] {
        var (clause, args) = whereClause(filter, now: now)
        args.append(limit ?? -1)
        return try mapRows("SELECT number FROM orders WHERE \(clause) ORDER BY number LIMIT ?", StatementArguments(args)) { $0[0] }
    }

    /// How many orders match `filter`.
    package func countOrders(_ filter: OrderFilter, now: Timestamp) throws -> Int64 {
        let (clause, args) = whereClause(filter, now: now)
        return try row("SELECT COUNT(*) FROM orders WHERE \(clause)", StatementArguments(args))?[0] ?? 0
    }

    /// Numbers of orders with open authorisations running out before `before`, earliest first.
    package func ordersWithAuthorizationsExpiring(before: Timestamp, limit: Int) throws -> [Int64] {
        try rows("SELECT number FROM orders WHERE auth_expires_at IS NOT NULL AND auth_expires_at <= ? ORDER BY auth_expires_at, number LIMIT ?",
                 [before.seconds, limit]).map { $0[0] }
    }

    /// Invoices and credit notes, filtered and paged by number.
    package func findDocuments(kind: DocumentKind?, order: Int64?, issuedFrom: Timestamp?, issuedTo: Timestamp?, after: Int64?, limit: Int) throws -> [InvoiceDocument] {
        try rows("""
            SELECT doc FROM documents WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR order_number = ?2)
              AND (?3 IS NULL OR issued_at >= ?3) AND (?4 IS NULL OR issued_at < ?4) AND (?5 IS NULL OR number > ?5)
            ORDER BY kind, number LIMIT ?6
            """, [kind?.rawValue, order, issuedFrom?.seconds, issuedTo?.seconds, after, limit])
            .compactMap { InvoiceDocument(stored: JSON.stored($0[0])) }
    }
}
