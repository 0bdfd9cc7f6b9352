import Foundation
import GRDB
import OrderCore
import OrderEngine
import OrderStorage
import OrderStore
import OrderStorePostgres
import PostgresClient
import Testing

/// A shop's SQLite file read through GRDB, as `oe store copy` reads it.
struct GRDBCopySource: StoreCopySource {
    let db: DatabaseQueue

    func tables() throws -> [String] {
        try db.read { try String.fetchAll($0, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'orders_fts%' ORDER BY name
            """) }
    }

    func columns(_ table: String) throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table]) }
    }

    func rows(_ table: String, columns: [String], orderBy: String) throws -> [[PostgresValue]] {
        try db.read { d in
            try Row.fetchAll(d, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(orderBy)").map { r in
                r.databaseValues.map { v -> PostgresValue in
                    switch v.storage {
                    case .null: .null
                    case .int64(let i): .int(i)
                    case .double(let d): .double(d)
                    case .string(let s): .text(s)
                    case .blob(let b): .bytes([UInt8](b))
                    }
                }
            }
        }
    }

    func aggregates(_ sql: String) throws -> [String] {
        try db.read { d in
            try Row.fetchOne(d, sql: sql)!.databaseValues.map { v -> String in
                switch v.storage {
                case .null: "null"
                case .int64(let i): String(i)
                case .double(let d): String(d)
                case .string(let s): s
                case .blob(let b): "\(b.count) bytes"
                }
            }
        }
    }
}

/// The order queries give the same answers on both stores: one shop built through the engine
/// on SQLite, copied into PostgreSQL with `StoreCopy`, then every filter of `order.find` and
/// `order.count`, every sort and direction paged to the end, the cursors, `payment.check`'s
/// selection, `invoice.find` and `return.find` asked of both and compared result for result.
@Suite("PostgreSQL queries equal SQLite's", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason), .serialized)
struct QueryParityTests {
    static let start = Timestamp(year: 2026, month: 11, day: 23, hour: 8)

    /// Customers: Danish spellings that must meet, a name that begins another, an e-mail.
    static let customers: [(name: String, email: String, city: String)] = [
        ("Jens Holm", "jens@holm.dk", "Aarhus C"), ("Søren Bækgaard", "soeren@baek.dk", "Århus"),
        ("Soeren Hansen", "sh@example.dk", "Odense"), ("Soren Kro", "kro@example.dk", "Aarhus N"),
        ("Mette Hansen", "mette@example.dk", "København"), ("Åse Jensen", "aase@jensen.dk", "Aalborg"),
        ("Ștefan Popescu", "stefan@example.ro", "Vejle"), ("Jensine Holmberg", "jh@holmberg.dk", "Aarhus C"),
    ]

    /// Builds the shop in `file`: 40 orders with every payment state, fulfilment state,
    /// delivery, tag and discount mix, ties in created_at and total, invoices, credit notes and
    /// returns, then runs the clock on so some authorisations have run out. Returns "now".
    static func buildShop(_ file: String) throws -> Timestamp {
        let clock = ManualClock(start)
        let engine = try Engine(path: file, configuration: EngineConfiguration(
            clock: clock, gateway: SimulatedGateway(), carrier: SimulatedCarrier(), mailer: SimulatedMailer()))
        defer { engine.close() }
        @discardableResult
        func call(_ name: String, _ p: JSON) throws -> JSON { try engine.call(name, p, actor: nil) }
        try call("settings.set", ["seller": ["name": "Butik ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]])
        for i in 0..<40 {
            let c = customers[i % customers.count]
            var p: JSONObject = [
                "customer": ["name": .string(c.name), "email": .string(c.email), "language": "da",
                             "delivery_address": ["street": .string("Strandvejen \(i)"), "postal_code": "8000", "city": .string(c.city)]],
                "lines": [["sku": "TSHIRT", "name": "T-shirt", "qty": .int(Int64(1 + i % 3)), "unit_price": 19_900, "vat_rate": 2500],
                          ["sku": "MUG", "name": "Krus", "qty": 1, "unit_price": 9_900, "vat_rate": 2500]],
                "currency": "DKK",
                "delivery": i % 4 == 0 ? ["method": "pickup", "location": "Butikken"] : ["method": "shipping", "carrier": i % 3 == 0 ? "postnord" : "gls"],
            ]
            var tags: [JSON] = []
            if i % 3 == 0 { tags.append("vip") }
            if i % 5 == 0 { tags.append("gave") }
            if !tags.isEmpty { p["tags"] = .array(tags) }
            if i % 7 == 0 { p["discounts"] = [["code": "VINTER10", "name": "Vinterrabat", "amount": 5_000]] }
            let o = try call("order.create", .object(p))
            let n = try #require(o["order"]?.intValue)
            let total = try #require(o["total"]?.intValue)
            switch i % 6 {
            case 0: break
            case 1: try call("payment.authorize", ["order": .int(n), "amount": .int(total), "method": "visa", "reference": .string("a\(n)")])
            case 2: try call("payment.authorize", ["order": .int(n), "amount": .int(total), "method": "mobilepay", "reference": .string("a\(n)")])
            case 3, 4:
                try call("payment.authorize", ["order": .int(n), "amount": .int(total), "method": "dankort", "reference": .string("a\(n)")])
                let s = try #require(call("shipment.create", ["order": .int(n), "carrier": "gls"])["shipment"]?.intValue)
                try call("shipment.hand_over", ["shipment": .int(s)])
                try call("payment.capture", i % 6 == 3 || i % 7 == 0 ? ["order": .int(n)] : ["order": .int(n), "amount": 9_900])
                if i % 12 == 3 {
                    try call("return.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "Fortrudt",
                                               "withdrawal": .bool(i % 24 == 3)])
                }
                if i % 12 == 9 { try call("credit_note.create", ["order": .int(n), "amount": 1_000, "reason": "Ridse"]) }
            default:
                try call("payment.authorize", ["order": .int(n), "amount": .int(total / 2),
                                               "method": i % 12 == 5 ? "mobilepay" : "mastercard", "reference": .string("a\(n)")])
            }
            if i % 2 == 1 { clock.advance(hours: 5) }  // pairs share created_at: the cursor's tie-break matters
        }
        clock.advance(days: 8)  // visa, dankort and mastercard authorisations (7 days) ran out, mobilepay's (14) not
        return clock.now()
    }

    /// The shop on both stores and "now".
    final class Stores: @unchecked Sendable {
        let sqlite: OrderStore
        let pg: PostgresConnection
        let db: ShopDatabase
        let now: Timestamp

        init() throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("oe-parity-\(UUID().uuidString).sqlite").path
            now = try QueryParityTests.buildShop(file)
            db = try ShopDatabase()
            pg = try db.connect()
            _ = try StoreCopy().copy(from: GRDBCopySource(db: try DatabaseQueue(path: file)), to: pg)
            sqlite = try OrderStore(path: file)
        }

        deinit { pg.close(); db.drop() }

        /// `body` asked of both stores, each in a transaction of its own.
        func both<T>(_ body: (any StoreTransaction) throws -> T) throws -> (sqlite: T, pg: T) {
            let s = try sqlite.read { try body($0) }
            let p = try pg.transaction { try body(PostgresTransaction(pg)) }
            return (s, p)
        }

        /// Expects `body` to give equal answers on both stores and returns the answer.
        @discardableResult
        func same<T: Equatable>(_ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                                _ body: (any StoreTransaction) throws -> T) throws -> T {
            let (s, p) = try both(body)
            #expect(s == p, "\(label): SQLite \(s), PostgreSQL \(p)", sourceLocation: sourceLocation)
            return s
        }
    }

    static let stores = Result { try Stores() }

    static func filters(_ now: Timestamp) -> [(String, OrderFilter)] {
        func f(_ edit: (inout OrderFilter) -> Void) -> OrderFilter { var x = OrderFilter(); edit(&x); return x }
        var out: [(String, OrderFilter)] = [("all", OrderFilter())]
        out.append(("status received", f { $0.statuses = ["received"] }))
        out.append(("status received or shipped", f { $0.statuses = ["received", "shipped", "processing"] }))
        for ps in PaymentState.allCases { out.append(("payment \(ps.rawValue)", f { $0.paymentStates = [ps] })) }
        out.append(("payment expired or authorized", f { $0.paymentStates = [.expired, .authorized, .captured] }))
        for fs in FulfilmentState.allCases { out.append(("fulfilment \(fs.rawValue)", f { $0.fulfilmentStates = [fs] })) }
        out.append(("created in a window", f {
            $0.createdFrom = Timestamp(seconds: start.seconds + 3_600 * 10); $0.createdTo = Timestamp(seconds: start.seconds + 3_600 * 40)
        }))
        for t in ["jens", "Jens Holm", "holm jen", "jen holm", "jens hol", "jens ho", "soren", "Søren", "SOEREN", "bækgaard", "baekgard",
                  "aarhus", "Århus", "arhus", "mette@example.dk", "mette@exam", "example", "stefan", "Ștefan", "strandvejen 17", "17",
                  "tshirt", "-- !", "nobody", "aase"] {
            out.append(("text \(t)", f { $0.text = t }))
        }
        out.append(("tag vip", f { $0.tags = ["vip"] }))
        out.append(("tags vip and gave", f { $0.tags = ["vip", "gave"] }))
        out.append(("tag unknown", f { $0.tags = ["vi"] }))
        out.append(("pickup", f { $0.deliveryMethod = "pickup" }))
        out.append(("carrier gls", f { $0.carrier = "gls" }))
        out.append(("discount code", f { $0.discountCode = "vinter10" }))
        out.append(("discount code unknown", f { $0.discountCode = "SOMMER" }))
        out.append(("numbers", f { $0.numbers = [1, 3, 5, 40, 99] }))
        out.append(("no numbers", f { $0.numbers = [] }))
        out.append(("combined", f { $0.text = "jens"; $0.paymentStates = [.expired, .none]; $0.deliveryMethod = "shipping" }))
        out.append(("text and tag", f { $0.text = "aarhus"; $0.tags = ["vip"] }))
        return out
    }

    @Test("counts and number lists are equal for every filter, and the filters select something")
    func countsAndNumbers() throws {
        let s = try Self.stores.get()
        for (label, filter) in Self.filters(s.now) {
            try s.same("count \(label)") { try $0.countOrders(filter, now: s.now) }
            try s.same("numbers \(label)") { try $0.findOrderNumbers(filter, now: s.now, limit: nil) }
            try s.same("3 numbers \(label)") { try $0.findOrderNumbers(filter, now: s.now, limit: 3) }
        }
        // The shop is rich enough for the comparison to mean something.
        for ps in [PaymentState.none, .authorized, .partially_authorized, .captured, .partially_captured, .expired] {
            #expect(try s.same("count \(ps)") { try $0.countOrders(with { $0.paymentStates = [ps] }, now: s.now) } > 0, "\(ps)")
        }
        #expect(try s.same("jens holm") { try $0.findOrderNumbers(with { $0.text = "holm jen" }, now: s.now, limit: nil) }.count == 5)
        #expect(try s.same("jen holm") { try $0.countOrders(with { $0.text = "jen holm" }, now: s.now) } == 0)
        let soren = try s.same("soren") { try $0.findOrderNumbers(with { $0.text = "soren" }, now: s.now, limit: nil) }
        #expect(soren.count == 15)
        for t in ["søren", "soeren", "Sören"] {
            #expect(try s.same(t) { try $0.findOrderNumbers(with { $0.text = t }, now: s.now, limit: nil) } == soren, "\(t)")
        }
        #expect(try s.same("århus") { try $0.countOrders(with { $0.text = "århus" }, now: s.now) } > 0)
        #expect(try s.same("mette@example.dk") { try $0.countOrders(with { $0.text = "mette@example.dk" }, now: s.now) } == 5)
    }

    func with(_ edit: (inout OrderFilter) -> Void) -> OrderFilter { var x = OrderFilter(); edit(&x); return x }

    @Test("pages and cursors are equal in every sort and direction, paged to the end", arguments: OrderSort.allCases)
    func pages(sort: OrderSort) throws {
        let s = try Self.stores.get()
        for (label, filter) in Self.filters(s.now) {
            for descending in [false, true] {
                var after: String?
                var seen: [Int64] = []
                var pages = 0
                repeat {
                    let page = OrderPage(sort: sort, descending: descending, limit: 4, after: after)
                    let (sq, pg) = try s.both { try $0.findOrders(filter, page: page, now: s.now) }
                    #expect(sq.orders == pg.orders, "\(label) \(sort) desc \(descending) after \(after ?? "-")")
                    #expect(sq.next == pg.next, "\(label) \(sort) desc \(descending) after \(after ?? "-")")
                    seen += pg.orders.map(\.number)
                    after = pg.next
                    pages += 1
                } while after != nil && pages < 50
                // Paging to the end visits each match once.
                let all = try s.same("numbers \(label)") { try $0.findOrderNumbers(filter, now: s.now, limit: nil) }
                #expect(seen.sorted() == all, "\(label) \(sort) desc \(descending)")
            }
        }
    }

    @Test("a page of 1 000 equals, and a cursor from one store pages on the other")
    func bigPageAndForeignCursor() throws {
        let s = try Self.stores.get()
        try s.same("page of 1000") { try $0.findOrders(OrderFilter(), page: OrderPage(sort: .total, descending: true, limit: 1000), now: s.now).orders }
        let first = try s.sqlite.read { try $0.findOrders(OrderFilter(), page: OrderPage(sort: .created_at, limit: 7), now: s.now) }
        let cursor = try #require(first.next)
        try s.same("after \(cursor)") {
            try $0.findOrders(OrderFilter(), page: OrderPage(sort: .created_at, limit: 7, after: cursor), now: s.now).orders
        }
    }

    @Test("a cursor that order.find did not return is refused on both, naming after", arguments: ["x", "1:2:3", "a:1", "12", ""])
    func badCursor(cursor: String) throws {
        let s = try Self.stores.get()
        let (sq, pg) = try s.both { side -> String? in
            do {
                _ = try side.findOrders(OrderFilter(), page: OrderPage(after: cursor), now: s.now)
                return nil
            } catch let e as OrderError {
                return "\(e.code) \(e.field ?? "")"
            }
        }
        #expect(sq != nil)
        #expect(sq == pg)
    }

    @Test("payment.check's selection, invoice.find and return.find are equal")
    func otherQueries() throws {
        let s = try Self.stores.get()
        for days: Int64 in [-30, -1, 0, 3, 30] {
            let before = Timestamp(seconds: s.now.seconds + days * 86_400)
            try s.same("expiring \(days)") { try $0.ordersWithAuthorizationsExpiring(before: before, limit: 100) }
            try s.same("2 expiring \(days)") { try $0.ordersWithAuthorizationsExpiring(before: before, limit: 2) }
        }
        #expect(try s.same("expiring") { try $0.ordersWithAuthorizationsExpiring(before: s.now, limit: 100) }.count > 0)
        func numbers(_ docs: [InvoiceDocument]) -> [String] { docs.map { "\($0.kind.rawValue) \($0.number) \($0.order)" } }
        for kind in [nil, DocumentKind.invoice, .credit_note] {
            #expect(try s.same("documents \(kind?.rawValue ?? "all")") {
                numbers(try $0.findDocuments(kind: kind, order: nil, issuedFrom: nil, issuedTo: nil, after: nil, limit: 100))
            }.count > 0)
            try s.same("documents after 2") { numbers(try $0.findDocuments(kind: kind, order: nil, issuedFrom: nil, issuedTo: nil, after: 2, limit: 3)) }
            try s.same("documents of order 4") { numbers(try $0.findDocuments(kind: kind, order: 4, issuedFrom: nil, issuedTo: nil, after: nil, limit: 10)) }
            try s.same("documents issued") {
                numbers(try $0.findDocuments(kind: kind, order: nil, issuedFrom: Timestamp(seconds: Self.start.seconds + 3_600 * 20),
                                             issuedTo: Timestamp(seconds: Self.start.seconds + 3_600 * 60), after: nil, limit: 100))
            }
        }
        try s.same("whole documents") { try $0.findDocuments(kind: nil, order: nil, issuedFrom: nil, issuedTo: nil, after: nil, limit: 100).map(\.json) }
        func returns(_ r: [GoodsReturn]) -> [String] { r.map { "\($0.number) \($0.order) \($0.state.rawValue) \($0.withdrawal)" } }
        func rf(_ edit: (inout ReturnFilter) -> Void) -> ReturnFilter { var x = ReturnFilter(); edit(&x); return x }
        #expect(try s.same("returns") { returns(try $0.findReturns(ReturnFilter(), after: nil, limit: 100)) }.count == 4)
        try s.same("returns after") { returns(try $0.findReturns(ReturnFilter(), after: 1, limit: 2)) }
        try s.same("withdrawals") { returns(try $0.findReturns(rf { $0.withdrawal = true }, after: nil, limit: 100)) }
        try s.same("not withdrawals") { returns(try $0.findReturns(rf { $0.withdrawal = false }, after: nil, limit: 100)) }
        try s.same("created") { returns(try $0.findReturns(rf { $0.states = [.created] }, after: nil, limit: 100)) }
        try s.same("of order 4") { returns(try $0.findReturns(rf { $0.order = 4 }, after: nil, limit: 100)) }
        try s.same("deadline") { returns(try $0.findReturns(rf { $0.deadlineBy = s.now }, after: nil, limit: 100)) }
        try s.same("created window") {
            returns(try $0.findReturns(rf { $0.createdFrom = Self.start; $0.createdTo = Timestamp(seconds: Self.start.seconds + 3_600 * 30) },
                                       after: nil, limit: 100))
        }
    }
}
