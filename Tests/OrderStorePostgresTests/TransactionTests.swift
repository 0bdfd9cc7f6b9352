import Foundation
@testable import OrderStorePostgres
import OrderCore
import OrderStorage
import PostgresClient
import Testing

@Suite("PostgreSQL transaction operations", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct TransactionTests {
    static func message(_ n: Int) -> OutboxMessage {
        OutboxMessage(order: nil, recipient: "kunde\(n)@example.dk", subject: "Ordre \(n) / Order \(n)", body: "Tak / Thanks",
                      language: .da, createdAt: Timestamp(seconds: 100))
    }

    @Test("two workers claiming at once get disjoint messages without waiting (SKIP LOCKED)")
    func claimsAreDisjoint() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let a = try db.connect(), b = try db.connect()
        try a.transaction { for n in 1...6 { _ = try PostgresTransaction(a).enqueue(Self.message(n)) } }
        let now = Timestamp(seconds: 200)
        try a.transaction { () throws -> Void in
            let first = try PostgresTransaction(a).claimOutbox(limit: 4, now: now, lease: 60, token: "A") { id, _ in "<\(id)@a>" }
            #expect(first.map(\.id) == [1, 2, 3, 4])
            // While A's claim is uncommitted, B skips A's rows instead of waiting for them.
            let second = try b.transaction {
                try PostgresTransaction(b).claimOutbox(limit: 4, now: now, lease: 60, token: "B") { id, _ in "<\(id)@b>" }
            }
            #expect(second.map(\.id) == [5, 6])
        }
        try a.transaction { () throws -> Void in
            let t = PostgresTransaction(a)
            #expect(try t.recordSent(1, token: "A", at: now))
            #expect(try !t.recordSent(5, token: "A", at: now), "B's claim is not A's to record")
            #expect(try t.recordFailure(2, token: "A", error: "421 try later", retryAt: Timestamp(seconds: 300)))
            #expect(try t.recordFailure(3, token: "A", error: "550 no such user", retryAt: nil))
            #expect(try t.outboxCount(status: "sent") == 1)
            #expect(try t.outboxCount(status: "failed") == 1)
            let two = try t.outbox(status: "pending", order: nil, after: 1, limit: 1)
            #expect(two.first?.id == 2 && two.first?.lastError == "421 try later" && two.first?.attempts == 1)
            #expect(try t.ackOutbox([4, 1], at: now) == [4])
            let e = #expect(throws: OrderError.self) { try t.ackOutbox([99], at: now) }
            #expect(e?.field == "ids")
        }
    }

    @Test("lockOrder makes a second server's command on the same order wait until the first commits")
    func lockOrderWaits() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let a = try db.connect()
        try ShopDatabase.insertOrder(a, number: 7, search: "7")
        let url = db.url
        try a.exec("BEGIN")
        try PostgresTransaction(a).lockOrder(7)
        let waiter = Worker { () -> Int64 in
            let b = try PostgresConnection(url: url)
            return try b.transaction { try PostgresTransaction(b).lockOrder(7); return try b.query("SELECT version FROM orders WHERE number = 7")[0].int(0) }
        }
        let observer = try db.connect()
        var blocked = false
        for _ in 0..<1000 where !blocked {
            blocked = try observer.query("""
                SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """)[0].bool(0)
            if !blocked { usleep(10_000) }
        }
        #expect(blocked)
        try a.exec("UPDATE orders SET version = 2 WHERE number = 7")
        try a.exec("COMMIT")
        #expect(try waiter.wait() == 2, "the waiter reads the committed version after the lock")
    }

    @Test("configuration and settings round-trip; status definitions keep their first place")
    func configuration() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try c.transaction { () throws -> Void in
            let t = PostgresTransaction(c)
            #expect(try t.configGeneration() == 1)
            try t.bumpConfigGeneration()
            #expect(try t.configGeneration() == 2)
            try t.saveSetting("seller", ["name": "Nordisk Kaffe ApS"])
            try t.saveSetting("seller", ["name": "Nordisk Te ApS"])
            #expect(try t.loadSettings()["seller"]?["name"]?.stringValue == "Nordisk Te ApS")
            #expect(try t.drawNumber(.order) == 1)
        }
    }
}

@Suite("PostgreSQL effects", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct EffectTests {
    @Test("an idempotency key is used once, across effects and payments, also by two servers at once")
    func keysOnce() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        try ShopDatabase.insertOrder(c, number: 1, search: "1")
        try c.exec("INSERT INTO payments (order_number, kind, amount, method, idempotency_key, at) VALUES (1, 'capture', 500, 'card', 'paid-1', 0)")
        let effect = EffectRecord(key: "cap-1", kind: "capture", order: 1, amount: 500, request: ["amount": 500], createdAt: Timestamp(seconds: 5))
        var t = PostgresTransaction(c)
        t.effectGateway = .success("test-gateway")
        let stored = try c.transaction { try t.insertEffect(effect) }
        #expect(stored.id > 0 && stored.gateway == "test-gateway")
        for key in ["cap-1", "paid-1"] {
            var again = effect
            again.key = key
            let e = #expect(throws: OrderError.self) { try c.transaction { try t.insertEffect(again) } }
            #expect(e?.code == .conflict && e?.field == "idempotency_key")
        }
        // Two servers with the same new key: the second waits on the unique index, then is refused.
        var second = effect
        second.key = "cap-2"
        let url = db.url
        let racing = second
        let racer = try c.transaction { () throws -> Worker<ErrorCode?> in
            _ = try PostgresTransaction(c).insertEffect(second)
            let racer = Worker { () -> ErrorCode? in
                let o = try PostgresConnection(url: url)
                do { _ = try o.transaction { try PostgresTransaction(o).insertEffect(racing) }; return nil } catch let e as OrderError { return e.code }
            }
            usleep(200_000)  // the racer's insert now waits on the unique index for this commit
            return racer
        }
        #expect(try racer.wait() == .conflict)
        try c.transaction { () throws -> Void in
            let t = PostgresTransaction(c)
            #expect(try t.pendingAmount(order: 1, kind: "capture") == 1000)
            #expect(try t.resolveEffect(id: stored.id, state: "succeeded", result: ["ok": true], at: Timestamp(seconds: 9)))
            #expect(try !t.resolveEffect(id: stored.id, state: "failed", result: nil, at: Timestamp(seconds: 9)))
            #expect(try t.pendingEffects(limit: 10).map(\.key) == ["cap-2"])
            #expect(try t.effect(key: "cap-1")?.state == "succeeded")
            #expect(try t.effects(group: "cap").isEmpty)
        }
    }

    @Test("without a configured gateway an effect is refused with the gateway's error")
    func noGateway() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let c = try db.connect()
        var t = PostgresTransaction(c)
        t.effectGateway = .failure(OrderError(.port, "no payment gateway configured"))
        let e = #expect(throws: OrderError.self) {
            try c.transaction { try t.insertEffect(EffectRecord(key: "k", kind: "capture", order: 1, amount: 1, request: nil, createdAt: Timestamp(seconds: 0))) }
        }
        #expect(e?.code == .port)
    }
}
