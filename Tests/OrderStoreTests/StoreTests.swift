import Foundation
import GRDB
import OrderCore
import Testing
@testable import OrderStore

/// The SQLite store: schema, migrations, append-only ledgers, number series.
@Suite struct StoreTests {
    static func tempPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("shop.sqlite").path
    }

    static func sampleOrder(_ n: Int64) -> OrderAggregate {
        OrderAggregate(order: Order(
            number: n, reference: "W-\(n)", status: "received", customer: Customer(name: "Ida", email: "ida@example.dk"),
            lines: [OrderLine(sku: "A", name: "Kaffe", qty: 2, unitPrice: 17900)], delivery: .shipping(carrier: "GLS"),
            tags: ["vip"], createdAt: Timestamp(seconds: 1_800_000_000)))
    }

    @Test func fileDatabasesUseWALAndMigrateOnce() throws {
        let path = try Self.tempPath()
        let store = try OrderStore(path: path)
        let mode = try store.read { s in try String.fetchOne(s.sqlite.db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        try store.write { s in try s.insertOrder(Self.sampleOrder(try s.drawNumber(.order))) }
        // Reopening runs no migration twice and keeps the data.
        let again = try OrderStore(path: path)
        #expect(try again.read { s in try s.loadAggregate(1)?.order.customer.name } == "Ida")
    }

    @Test func anOrderRoundTripsThroughTheStore() throws {
        let store = try OrderStore(path: ":memory:")
        let a = Self.sampleOrder(1)
        try store.write { s in try s.insertOrder(a) }
        let loaded = try store.read { s in try s.loadAggregate(1) }
        #expect(loaded == a)
    }

    @Test(arguments: ["UPDATE payments SET amount = 1", "DELETE FROM payments", "DELETE FROM documents", "UPDATE timeline SET actor = 'x'", "DELETE FROM timeline"])
    func accountingRecordsAreAppendOnly(sql: String) throws {
        let store = try OrderStore(path: ":memory:")
        try store.write { s in
            try s.insertOrder(Self.sampleOrder(1))
            _ = try s.appendPayment(order: 1, PaymentTransaction(id: 0, kind: .authorize, amount: 35800, method: "visa", at: Timestamp(seconds: 1)))
            try s.appendTimeline(TimelineEvent(order: 1, at: Timestamp(seconds: 1), actor: "t", command: "c", event: "e"))
            try s.insertDocument(InvoiceDocument(kind: .invoice, number: 1, reference: "F-1", order: 1, orderReference: "W-1",
                                                 issuedAt: Timestamp(seconds: 1), seller: .unset, buyerName: "Ida", buyerAddress: nil,
                                                 currency: .dkk, lines: [InvoiceLine(sku: "A", name: "Kaffe", qty: 1, unitPrice: 17900, vatRate: 2500)]))
        }
        let before = try store.contentChecksum()
        #expect {
            try store.write { s in try s.sqlite.exec(sql) }
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .storage && e.message.contains("append-only")
        }
        #expect(try store.contentChecksum() == before)
    }

    @Test func numberSeriesAreGaplessAndRollBackWithTheTransaction() throws {
        let store = try OrderStore(path: ":memory:")
        try store.write { s in try s.setNumberSeriesStart(.invoice, 5001) }
        #expect(try store.write { s in try s.drawNumber(.invoice) } == 5001)
        struct Boom: Error {}
        #expect {
            try store.write { s in
                _ = try s.drawNumber(.invoice)
                throw Boom()
            }
        } throws: { ($0 as? OrderError)?.code == .storage }
        #expect(try store.write { s in try s.drawNumber(.invoice) } == 5002, "the rolled-back draw left no gap")
        #expect {
            try store.write { s in try s.setNumberSeriesStart(.invoice, 9000) }
        } throws: { ($0 as? OrderError)?.code == .conflict }
    }

    @Test func anUnreadableFileIsAStorageError() throws {
        let path = try Self.tempPath()
        try Data("this is not a database, just text that is long enough to have a header page".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try OrderStore(path: path)
        } throws: { ($0 as? OrderError)?.code == .storage }
    }

    @Test func staleVersionsConflict() throws {
        let store = try OrderStore(path: ":memory:")
        var a = Self.sampleOrder(1)
        try store.write { s in try s.insertOrder(a) }
        a.order.version = 2
        try store.write { s in try s.updateOrder(a, expectedVersion: 1) }
        #expect {
            try store.write { s in try s.updateOrder(a, expectedVersion: 1) }
        } throws: { ($0 as? OrderError)?.code == .conflict }
    }

    @Test func aRefusedWriteIsAStorageErrorWithSQLitesReasonAndUndoesTheTransaction() throws {
        let store = try OrderStore(path: ":memory:")
        let payment = PaymentTransaction(id: 0, kind: .authorize, amount: 100, method: "visa", idempotencyKey: "k-1", at: Timestamp(seconds: 1))
        try store.write { s in
            try s.insertOrder(Self.sampleOrder(1))
            _ = try s.appendPayment(order: 1, payment)
        }
        let before = try store.contentChecksum()
        #expect {
            try store.write { s in
                try s.insertOrder(Self.sampleOrder(2))
                _ = try s.appendPayment(order: 2, payment)  // the same idempotency key again
            }
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .storage && e.message.contains("UNIQUE") && e.message.contains("idempotency_key")
        }
        #expect(try store.contentChecksum() == before)
        // The statement is usable again after the failure.
        try store.write { s in _ = try s.appendPayment(order: 1, PaymentTransaction(id: 0, kind: .capture, amount: 100, method: "visa",
                                                                                     idempotencyKey: "k-2", at: Timestamp(seconds: 2))) }
        #expect(try store.read { s in try s.loadAggregate(1)?.payments.captured } == 100)
    }

    /// The expiry rule has one source (`PaymentLedger.authorizationsValidUntil`): an authorised
    /// order with an open authorisation that never expires (NULL expiry) is not `expired` when
    /// its other authorisation runs out — not in the ledger, not in `order.find`'s filter, not
    /// in the summary. Order 2, whose only authorisation ran out, is expired everywhere.
    @Test func anAuthorisationWithoutExpiryKeepsTheOrderAuthorisedEverywhere() throws {
        let store = try OrderStore(path: ":memory:")
        func authorize(_ order: Int64, _ key: String, expires: Int64?) -> PaymentTransaction {
            PaymentTransaction(id: 0, kind: .authorize, amount: 100, method: "visa", idempotencyKey: key, at: Timestamp(seconds: 10),
                               expiresAt: expires.map { Timestamp(seconds: $0) })
        }
        try store.write { s in
            for (n, auths) in [(Int64(1), [("a-1", Int64?(100)), ("a-2", nil)]), (2, [("a-3", 100)])] {
                var a = Self.sampleOrder(n)
                try s.insertOrder(a)
                for (key, expires) in auths { a.payments.append(try s.appendPayment(order: n, authorize(n, key, expires: expires))) }
                a.order.version += 1
                try s.updateOrder(a, expectedVersion: 1)
            }
        }
        let later = Timestamp(seconds: 200)
        let (one, two) = try store.read { s in (try s.loadAggregate(1)!, try s.loadAggregate(2)!) }
        #expect(one.payments.authorizationsValidUntil == nil)
        #expect(one.paymentState(at: later) == .partially_authorized, "200 of a larger total authorised, one without expiry: never expired")
        #expect(two.payments.authorizationsValidUntil == Timestamp(seconds: 100))
        #expect(two.paymentState(at: later) == .expired)
        func find(_ states: [PaymentState]) throws -> [Int64] {
            var f = OrderFilter()
            f.paymentStates = states
            return try store.read { s in try s.findOrders(f, page: OrderPage(), now: later).orders.map(\.number) }
        }
        #expect(try find([.expired]) == [2])
        #expect(try find([.partially_authorized]) == [1])
        let summaries = try store.read { s in try s.findOrders(OrderFilter(), page: OrderPage(), now: later).orders }
        #expect(summaries.map { $0.json(now: later)["payment_state"]?.stringValue } == ["partially_authorized", "expired"])
        #expect(try store.read { s in try s.countOrders(OrderFilter(), now: later) } == 2)
    }

    @Test func textsAreStoredByteForByte() throws {
        let store = try OrderStore(path: ":memory:")
        var a = Self.sampleOrder(1)
        a.order.customer.name = "Ærø Østergård \"Jensen\" & Co 😀"
        a.order.note = ""
        try store.write { s in try s.insertOrder(a) }
        let back = try store.read { s in try s.loadAggregate(1) }
        #expect(back?.order.customer.name == a.order.customer.name)
        #expect(back?.order.note == "")
        let stored = try store.read { s in try String.fetchOne(s.sqlite.db, sql: "SELECT customer_name FROM orders") }
        #expect(stored == a.order.customer.name)
    }

    @Test func aWriteWithTheWrongNumberOfValuesIsRefused() throws {
        let store = try OrderStore(path: ":memory:")
        #expect {
            try store.write { s in try s.sqlite.write("UPDATE meta SET value = ? WHERE key = ?", "x") }
        } throws: { ($0 as? OrderError)?.code == .storage }
    }

    @Test func aVersion2DatabaseMovesItsDocumentsOutOfTheOrderRows() throws {
        // A shop created before v3: the document and search text were columns of orders.
        let path = try Self.tempPath()
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: "v2-fts")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO orders (number, reference, status, payment_state, fulfilment_state, total, currency, notify, version,
                    created_at, updated_at, customer_name, customer_email, delivery_method, tags, search, doc)
                VALUES (7, '10007', 'received', 'none', 'unshipped', 35800, 'DKK', 1, 1, 1800000000, 1800000000, 'Ida Holm',
                    'ida@example.dk', 'shipping', '', '7 10007 ida holm ida@example.dk kaf',
                    '{"customer":{"name":"Ida Holm","email":"ida@example.dk","language":"da"},"lines":[{"sku":"KAF","name":"Kaffe","qty":2,"unit_price":17900,"vat_rate":2500}],"delivery":{"method":"shipping"},"tags":[],"note":"ring"}')
                """)
        }
        try old.close()
        let store = try OrderStore(path: path)
        let a = try #require(try store.read { s in try s.loadAggregate(7) })
        #expect(a.order.customer.name == "Ida Holm")
        #expect(a.order.lines.first?.qty == 2)
        #expect(a.order.note == "ring")
        var filter = OrderFilter()
        filter.text = "holm"
        let found = try store.read { s in try s.findOrders(filter, page: OrderPage(), now: Timestamp(seconds: 1_800_000_000)) }
        #expect(found.orders.map(\.number) == [7])
        let columns = try store.read { s in try Row.fetchAll(s.sqlite.db, sql: "PRAGMA table_info(orders)").map { $0["name"] as String } }
        #expect(!columns.contains("doc") && !columns.contains("search"))
        // New orders are searchable too, and an edited document is searched by its new text.
        var b = Self.sampleOrder(8)
        b.order.customer.name = "Bo Lund"
        try store.write { s in try s.insertOrder(b) }
        filter.text = "lund"
        #expect(try store.read { s in try s.findOrders(filter, page: OrderPage(), now: Timestamp(seconds: 1)) }.orders.map(\.number) == [8])
        b.order.customer.name = "Bo Kirk"
        b.order.version = 2
        try store.write { s in try s.updateOrder(b, expectedVersion: 1, documentChanged: true) }
        #expect(try store.read { s in try s.findOrders(filter, page: OrderPage(), now: Timestamp(seconds: 1)) }.orders.isEmpty)
        filter.text = "kirk"
        #expect(try store.read { s in try s.findOrders(filter, page: OrderPage(), now: Timestamp(seconds: 1)) }.orders.map(\.number) == [8])
    }
}

extension StoreTransaction {
    /// The SQLite session behind the seam, for tests of SQLite itself (pragmas, raw SQL).
    var sqlite: StoreSession { self as! StoreSession }
}
