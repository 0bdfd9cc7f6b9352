import Foundation
@testable import OrderStorePostgres
import OrderCore
import OrderStorage
import PostgresClient
import Testing

/// What only the PostgreSQL store does: retry a whole transaction, survive a lost connection,
/// and keep its caches honest when another server writes.
@Suite("PostgreSQL store", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct PostgresStoreTests {
    static func sampleOrder(_ n: Int64) -> OrderAggregate {
        OrderAggregate(order: Order(
            number: n, reference: "W-\(n)", status: "received", customer: Customer(name: "Ida Søndergaard", email: "ida@example.dk"),
            lines: [OrderLine(sku: "A", name: "Kaffe", qty: 2, unitPrice: 17900)], delivery: .shipping(carrier: "GLS"),
            tags: ["vip"], createdAt: Timestamp(seconds: 1_800_000_000)))
    }

    /// Raises `sqlState` on the server inside `t`'s transaction, as a conflicting server would.
    static func raise(_ sqlState: String, in t: any StoreTransaction) throws {
        try (t as! PostgresTransaction).rows("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '\(sqlState)'; END $$")
    }

    @Test("a serialization failure or deadlock re-runs the whole body, also when the engine caught it in a savepoint", arguments: ["40001", "40P01"])
    func retriesTheBody(sqlState: String) throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url)
        var attempts = 0
        let number = try store.write { t -> Int64 in
            attempts += 1
            let n = try t.drawNumber(.order)
            try t.insertOrder(Self.sampleOrder(n))
            if attempts == 1 { _ = try? t.savepoint { try Self.raise(sqlState, in: t) } }
            return n
        }
        #expect(attempts == 2)
        #expect(number == 1, "the first attempt's number was rolled back and drawn again")
        #expect(try store.read { t in try t.loadAggregate(1)?.order.reference } == "W-1")
        #expect(try store.read { t in try t.numberSeriesState(.order).next } == 2)
        #expect(store.writeTransactionCount == 1)
    }

    @Test("a transaction that keeps failing is given up after maxAttempts with conflict, and nothing of it is stored")
    func givesUp() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url)
        let before = try store.contentChecksum()
        var attempts = 0
        #expect {
            try store.write { t in
                attempts += 1
                try t.insertOrder(Self.sampleOrder(try t.drawNumber(.order)))
                try Self.raise("40P01", in: t)
            }
        } throws: { ($0 as? OrderError)?.code == .conflict }
        #expect(attempts == PostgresStore.maxAttempts)
        #expect(try store.contentChecksum() == before)
    }

    @Test("a command that loses its connection fails with storage and stores nothing; the next one reconnects")
    func lostConnection() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url, maxConnections: 1)
        try store.write { t in try t.insertOrder(Self.sampleOrder(try t.drawNumber(.order))) }
        let admin = try db.connect()
        #expect {
            try store.write { t in
                try t.insertOrder(Self.sampleOrder(try t.drawNumber(.order)))
                let pid = (t as! PostgresTransaction).connection.backendPID
                try admin.query("SELECT pg_terminate_backend($1::int4)", [.int(Int64(pid))])
                _ = try t.orderExists(1)
            }
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .storage && e.message.contains("postgresql")
        }
        // The next command connects again and sees only what committed.
        #expect(try store.read { t in try t.orderExists(2) } == false)
        #expect(try store.write { t in try t.drawNumber(.order) } == 2, "the lost transaction's number came back")
    }

    @Test("a pooled connection the server ended while idle is replaced at the next transaction's first round trip, at no cost")
    func idleConnectionEndedByTheServer() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url, maxConnections: 1)
        let pid = try store.write { t -> Int32 in
            try t.insertOrder(Self.sampleOrder(try t.drawNumber(.order)))
            return (t as! PostgresTransaction).connection.backendPID
        }
        // A restart, failover, idle timeout or administrator ends the idle session.
        let admin = try db.connect()
        try admin.query("SELECT pg_terminate_backend($1::int4)", [.int(Int64(pid))])
        var waited = 0
        while try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int4", [.int(Int64(pid))])[0].int(0) != 0 && waited < 200 {
            usleep(10_000)
            waited += 1
        }
        // The next write and read succeed (nothing of them had reached the dead session).
        let (number, reconnects) = try store.write { t -> (Int64, Int) in
            let n = try t.drawNumber(.order)
            try t.insertOrder(Self.sampleOrder(n))
            return (n, (t as! PostgresTransaction).connection.reconnects)
        }
        #expect(number == 2)
        #expect(reconnects == 1)
        #expect(try store.read { t in try t.orderExists(2) })
        // The same for a read transaction.
        let pid2 = try store.read { t in (t as! PostgresTransaction).connection.backendPID }
        try admin.query("SELECT pg_terminate_backend($1::int4)", [.int(Int64(pid2))])
        usleep(100_000)
        #expect(try store.read { t in try t.orderExists(1) })
        admin.close()
    }

    @Test("an order cached by one server is read afresh after another server changed it")
    func cacheSeesAnotherServersWrite() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let a = try PostgresStore(url: db.url), b = try PostgresStore(url: db.url)
        try a.write { t in try t.insertOrder(Self.sampleOrder(try t.drawNumber(.order))) }
        #expect(try a.read { t in try t.loadAggregate(1)?.order.status } == "received")  // now cached in a
        try b.write { t in
            var o = try #require(try t.loadAggregate(1))
            o.order.status = "processing"
            o.order.version += 1
            try t.updateOrder(o, expectedVersion: o.order.version - 1)
        }
        #expect(try a.read { t in try t.loadAggregate(1)?.order.status } == "processing")
        // A stale version is a conflict, as on SQLite.
        #expect {
            try a.write { t in try t.updateOrder(Self.sampleOrder(1), expectedVersion: 1) }
        } throws: { ($0 as? OrderError)?.code == .conflict }
        // The configuration generation another server bumps is seen by the next transaction.
        let gen = try a.read { t in try t.configGeneration() }
        try b.write { t in try t.bumpConfigGeneration() }
        #expect(try a.read { t in try t.configGeneration() } == gen + 1)
    }

    @Test("several threads of one engine write through the pool at once; numbers stay gapless")
    func threads() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url, maxConnections: 3)
        let workers = (0..<6).map { _ in
            Worker { () throws -> [Int64] in
                try (0..<5).map { _ in try store.write { t in let n = try t.drawNumber(.order); try t.insertOrder(Self.sampleOrder(n)); return n } }
            }
        }
        let numbers = try workers.flatMap { try $0.wait() }.sorted()
        #expect(numbers == Array(1...30))
        #expect(!store.path.contains(":" + "secret") && store.path.hasPrefix("postgresql://"))
    }

    @Test("path carries no password", arguments: [
        ("postgresql://oe:secret@127.0.0.1:5432/shop?sslmode=disable", "postgresql://oe@127.0.0.1:5432/shop?sslmode=disable"),
        ("postgresql://oe@db/shop?password=secret&sslmode=require", "postgresql://oe@db/shop?sslmode=require"),
        ("postgresql://oe@db/shop?sslmode=require&password=secret", "postgresql://oe@db/shop?sslmode=require"),
    ])
    func redaction(url: String, expected: String) {
        #expect(PostgresStore.withoutPassword(url) == expected)
    }
}
