import OrderCore
import OrderStorage
import PostgresClient

/// The statement text and parameters of one query, built up clause by clause: ``bind(_:)``
/// appends a parameter and returns its placeholder (`$1`, `$2`, …).
struct QueryParameters {
    /// The parameters, in placeholder order.
    private(set) var values: [PostgresValue] = []

    /// Appends `value` and returns the placeholder that refers to it.
    mutating func bind(_ value: PostgresValue) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    /// The placeholders of `list`, comma-separated, each bound.
    mutating func bindList(_ list: [PostgresValue]) -> String {
        list.map { bind($0) }.joined(separator: ", ")
    }
}

/// The order queries of the seam (`order.find`, `order.count`, `orders.mass_update`'s
/// selection, `payment.check`, `invoice.find`, `return.find`) with the SQLite store's
/// semantics exactly (Sources/OrderStore/Queries/OrderQueries.swift): the same filters, the
/// same order, the same keyset cursor (`"<sort value>:<order number>"`), so a cursor taken
/// on one store pages on the other and a shop moved by `oe store copy` finds what it found.
extension PostgresTransaction {
    private static let summaryColumns = """
        number, reference, status, payment_state, fulfilment_state, auth_expires_at, total, authorized, captured, currency,
        customer_name, customer_email, delivery_method, carrier, tags, created_at, updated_at, version,
        auth_valid_until
        """

    /// A summary from a row of `summaryColumns`.
    private static func summary(_ r: PostgresRow) throws -> OrderSummary {
        OrderSummary(
            number: try r.int(0), reference: try r.string(1), status: try r.string(2),
            paymentState: PaymentState(rawValue: try r.string(3)) ?? .none,
            fulfilmentState: FulfilmentState(rawValue: try r.string(4)) ?? .unshipped,
            authExpiresAt: try r.intOrNil(5).map(Timestamp.init(seconds:)),
            authValidUntil: try r.intOrNil(18).map(Timestamp.init(seconds:)),
            total: try r.int(6), authorized: try r.int(7), captured: try r.int(8), currency: try r.string(9),
            customerName: try r.string(10), customerEmail: try r.string(11), deliveryMethod: try r.string(12),
            carrier: try r.stringOrNil(13), tags: OrderRow.tags(fromColumn: try r.string(14)),
            createdAt: Timestamp(seconds: try r.int(15)), updatedAt: Timestamp(seconds: try r.int(16)), version: try r.int(17))
    }

    /// The search part of a query for `f`: the `FROM` (``PostgresSearch/joined`` with a text
    /// search, else `orders`) and the text condition, nil without one.
    private static func source(_ f: OrderFilter, _ p: inout QueryParameters) -> (from: String, match: String?) {
        guard let text = f.text, let query = PostgresSearch.tsquery(text) else { return ("orders", nil) }
        _ = p.bind(.text(query))
        return (PostgresSearch.joined, PostgresSearch.condition(parameter: p.values.count))
    }

    /// The text condition and the other filters' `condition` together.
    private static func both(_ match: String?, _ clause: String) -> String {
        guard let match else { return clause }
        return clause == "TRUE" ? match : match + " AND " + clause
    }

    /// The WHERE condition for `f` at `now` (the text search is ``source``'s),
    /// clause for clause the SQLite store's. Texts with a NUL never get here (the engine's
    /// parameters refuse them; PostgreSQL could not take them).
    private static func condition(_ f: OrderFilter, now: Timestamp, _ p: inout QueryParameters) -> String {
        var parts: [String] = []
        if let s = f.statuses, !s.isEmpty {
            parts.append("status IN (\(p.bindList(s.map { .text($0) })))")
        }
        if let ps = f.paymentStates, !ps.isEmpty {
            var ors: [String] = []
            for state in ps {
                switch state {
                // PaymentLedger.state(stored:validUntil:at:) in SQL. auth_expires_at (indexed) is
                // never later than auth_valid_until, so it narrows the expired ones first.
                case .expired:
                    let t = p.bind(.int(now.seconds))
                    ors.append("(payment_state IN ('authorized', 'partially_authorized') AND auth_expires_at <= \(t) AND auth_valid_until <= \(t))")
                case .authorized, .partially_authorized:
                    // Stored as such; read as expired once every open authorisation ran out.
                    ors.append("(payment_state = \(p.bind(.text(state.rawValue))) AND (auth_valid_until IS NULL OR auth_valid_until > \(p.bind(.int(now.seconds)))))")
                default:
                    ors.append("payment_state = \(p.bind(.text(state.rawValue)))")
                }
            }
            parts.append("(" + ors.joined(separator: " OR ") + ")")
        }
        if let fs = f.fulfilmentStates, !fs.isEmpty {
            parts.append("fulfilment_state IN (\(p.bindList(fs.map { .text($0.rawValue) })))")
        }
        if let from = f.createdFrom { parts.append("created_at >= \(p.bind(.int(from.seconds)))") }
        if let to = f.createdTo { parts.append("created_at < \(p.bind(.int(to.seconds)))") }
        for tag in f.tags ?? [] {
            parts.append("strpos(tags, \(p.bind(.text(OrderRow.tagSeparator + tag + OrderRow.tagSeparator)))) > 0")
        }
        if let m = f.deliveryMethod { parts.append("delivery_method = \(p.bind(.text(m)))") }
        if let c = f.carrier { parts.append("carrier = \(p.bind(.text(c)))") }
        if let code = f.discountCode {
            let value = p.bind(.text(code.uppercased()))
            parts.append("number IN (SELECT d.number FROM order_docs d WHERE d.doc::jsonb -> 'discount_codes' @> jsonb_build_array(\(value)::text))")
        }
        if let n = f.numbers {
            parts.append("number = ANY(\(p.bind(.text("{" + n.map(String.init).joined(separator: ",") + "}")))::bigint[])")
        }
        return parts.isEmpty ? "TRUE" : parts.joined(separator: " AND ")
    }

    /// Runs an order query. One with a text search is planned for its own tsquery (an unnamed
    /// statement, `queryOnce`): the generic plan of a cached statement assumes 500 matches and
    /// merge-joins them with the orders walked in number order, 44 ms for one e-mail address in
    /// 100,000 orders where the index finds it in 0.3 ms; and the planner reads the tsquery
    /// to choose between walking the orders in number order and collecting the index's hits.
    private func orderQuery(_ sql: String, _ p: QueryParameters, textSearch: Bool) throws -> PostgresResult {
        textSearch ? try connection.queryOnce(sql, p.values) : try rows(sql, p.values)
    }

    /// A LIMIT parameter as SQLite reads one: negative means no limit (NULL here, which
    /// PostgreSQL reads so; it refuses a negative LIMIT).
    private static func limit(_ n: Int64?) -> PostgresValue {
        guard let n, n >= 0 else { return .null }
        return .int(n)
    }

    /// One page of orders matching `filter`, and the cursor of the next page (nil on the last).
    /// Keyset paging: a page starts strictly after the cursor's (sort value, number), so rows
    /// inserted meanwhile never shift or repeat earlier results. A text search collects its
    /// matches through `order_search` (``PostgresSearch/joined``), as the planner chooses for its tsquery.
    package func findOrders(_ filter: OrderFilter, page: OrderPage, now: Timestamp) throws -> (orders: [OrderSummary], next: String?) {
        var p = QueryParameters()
        let (from, match) = Self.source(filter, &p)
        var clause = Self.both(match, Self.condition(filter, now: now, &p))
        let col = page.sort == .number ? "number" : page.sort.rawValue
        let cmp = page.descending ? "<" : ">"
        if let (v, n) = try page.position() {
            if page.sort == .number {
                clause += " AND number \(cmp) \(p.bind(.int(n)))"
            } else {
                let value = p.bind(.int(v))
                clause += " AND (\(col) \(cmp) \(value) OR (\(col) = \(value) AND number \(cmp) \(p.bind(.int(n)))))"
            }
        }
        let dir = page.descending ? "DESC" : "ASC"
        let order = page.sort == .number ? "number \(dir)" : "\(col) \(dir), number \(dir)"
        let lim = p.bind(Self.limit(Int64(page.limit) + 1))
        let fetched = try orderQuery("SELECT \(Self.summaryColumns) FROM \(from) WHERE \(clause) ORDER BY \(order) LIMIT \(lim)",
                                     p, textSearch: match != nil).map(Self.summary)
        return page.page(of: fetched)
    }

    /// The numbers of every order matching `filter`, ascending, at most `limit` (nil: all).
    package func findOrderNumbers(_ filter: OrderFilter, now: Timestamp, limit: Int64?) throws -> [Int64] {
        var p = QueryParameters()
        let (from, match) = Self.source(filter, &p)
        let clause = Self.both(match, Self.condition(filter, now: now, &p))
        let lim = p.bind(Self.limit(limit))
        return try orderQuery("SELECT number FROM \(from) WHERE \(clause) ORDER BY number LIMIT \(lim)", p, textSearch: match != nil)
            .map { try $0.int(0) }
    }

    /// How many orders match `filter`. A text search alone counts `order_search` without
    /// joining `orders` (every row of it belongs to an order: its key references `order_docs`,
    /// whose key references `orders`).
    package func countOrders(_ filter: OrderFilter, now: Timestamp) throws -> Int64 {
        var p = QueryParameters()
        let (from, match) = Self.source(filter, &p)
        let others = Self.condition(filter, now: now, &p)
        let counted = match != nil && others == "TRUE" ? "order_search" : from
        return try orderQuery("SELECT count(*) FROM \(counted) WHERE \(Self.both(match, others))", p, textSearch: match != nil)
            .first?.int(0) ?? 0
    }

    /// Numbers of orders with open authorisations running out before `before`, earliest first.
    package func ordersWithAuthorizationsExpiring(before: Timestamp, limit: Int) throws -> [Int64] {
        try rows("""
            SELECT number FROM orders WHERE auth_expires_at IS NOT NULL AND auth_expires_at <= $1
            ORDER BY auth_expires_at, number LIMIT $2
            """, [.int(before.seconds), Self.limit(Int64(limit))]).map { try $0.int(0) }
    }

    /// Invoices and credit notes, filtered and paged by number, in (kind, number) order.
    package func findDocuments(kind: DocumentKind?, order: Int64?, issuedFrom: Timestamp?, issuedTo: Timestamp?, after: Int64?,
                               limit: Int) throws -> [InvoiceDocument] {
        var p = QueryParameters()
        var parts = ["TRUE"]
        if let kind { parts.append("kind = \(p.bind(.text(kind.rawValue)))") }
        if let order { parts.append("order_number = \(p.bind(.int(order)))") }
        if let issuedFrom { parts.append("issued_at >= \(p.bind(.int(issuedFrom.seconds)))") }
        if let issuedTo { parts.append("issued_at < \(p.bind(.int(issuedTo.seconds)))") }
        if let after { parts.append("number > \(p.bind(.int(after)))") }
        let lim = p.bind(Self.limit(Int64(limit)))
        // COLLATE "C": kinds sort by their bytes, as SQLite sorts text, whatever the database's collation.
        return try rows("SELECT doc FROM documents WHERE \(parts.joined(separator: " AND ")) ORDER BY kind COLLATE \"C\", number LIMIT \(lim)",
                        p.values).compactMap { InvoiceDocument(stored: Self.json(try $0.string(0))) }
    }

    /// Returns matching `f` with a number above `after`, in number order, at most `limit`.
    package func findReturns(_ f: ReturnFilter, after: Int64?, limit: Int) throws -> [GoodsReturn] {
        var p = QueryParameters()
        var sql = "SELECT doc FROM returns WHERE number > \(p.bind(.int(after ?? 0)))"
        if let o = f.order { sql += " AND order_number = \(p.bind(.int(o)))" }
        if let s = f.states, !s.isEmpty { sql += " AND state IN (\(p.bindList(s.map { .text($0.rawValue) })))" }
        if let w = f.withdrawal { sql += " AND withdrawal = \(p.bind(.int(w ? 1 : 0)))" }
        if let t = f.createdFrom { sql += " AND created_at >= \(p.bind(.int(t.seconds)))" }
        if let t = f.createdTo { sql += " AND created_at < \(p.bind(.int(t.seconds)))" }
        if let t = f.deadlineBy { sql += " AND deadline IS NOT NULL AND deadline <= \(p.bind(.int(t.seconds)))" }
        sql += " ORDER BY number LIMIT \(p.bind(Self.limit(Int64(limit))))"
        return try rows(sql, p.values).compactMap { GoodsReturn(stored: Self.json(try $0.string(0))) }
    }
}
