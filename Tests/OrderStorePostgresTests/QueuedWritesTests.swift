import Foundation
@testable import OrderStorePostgres
import OrderCore
import OrderStorage
import PostgresClient
import Testing

/// The writes the store queues to go out with the next statement or the COMMIT (no round trip
/// of their own): what they cost, and that a failure among them still fails the whole
/// transaction with the right code and stores nothing.
@Suite("PostgreSQL queued writes", .enabled(if: ShopDatabase.server != nil, ShopDatabase.skipReason))
struct QueuedWritesTests {
    /// A store with order 1 in it (committed).
    static func storeWithOrder(_ db: ShopDatabase) throws -> PostgresStore {
        let store = try PostgresStore(url: db.url)
        try store.write { t in
            let n = try t.drawNumber(.order)
            try t.insertOrder(PostgresStoreTests.sampleOrder(n))
        }
        return store
    }

    /// A status change as a command makes it: lock, load, update, timeline event.
    static func setStatus(_ t: any StoreTransaction, _ status: String) throws {
        try t.lockOrder(1)
        guard let a = try t.loadAggregate(1) else { throw OrderError(.notFound, "order 1") }
        try update(t, a, status)
    }

    /// The update of a status change of order `a` as loaded, and its timeline event.
    static func update(_ t: any StoreTransaction, _ loaded: OrderAggregate, _ status: String) throws {
        var a = loaded
        let previous = a
        a.order.status = status
        a.order.version += 1
        try t.updateOrder(a, expectedVersion: previous.order.version, documentChanged: true, previous: previous)
        try t.appendTimeline(TimelineEvent(order: 1, at: Timestamp(seconds: 10), actor: "test", command: "order.set_status",
                                           event: "status_changed", from: previous.order.status, to: status))
    }

    @Test("a command's creation or change of an order costs two round trips: its lock and load, then its writes with the COMMIT")
    func twoRoundTrips() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try PostgresStore(url: db.url)
        var trips = 0
        try store.write { t in
            let c = (t as! PostgresTransaction).connection
            let before = c.roundTripCount
            let n = try t.drawNumber(.order)
            try t.insertOrder(PostgresStoreTests.sampleOrder(n))
            try t.appendTimeline(TimelineEvent(order: n, at: Timestamp(seconds: 1), actor: "test", command: "order.create", event: "created"))
            trips = c.roundTripCount - before
        }
        #expect(trips == 1, "the draw went out; the order, its document and its event wait for the COMMIT")
        try store.write { t in
            let c = (t as! PostgresTransaction).connection
            let before = c.roundTripCount
            try Self.setStatus(t, "packed")
            trips = c.roundTripCount - before
        }
        #expect(trips == 1, "the lock and the load went out together; the UPDATEs and the event wait for the COMMIT")
        let a = try #require(try store.read { t in try t.loadAggregate(1) })
        #expect(a.order.status == "packed" && a.order.version == 2)
        #expect(try store.read { t in try t.timeline(of: 1).map(\.event) } == ["created", "status_changed"])
        var packed = OrderFilter()
        packed.statuses = ["packed"]
        #expect(try store.read { t in try t.findOrderNumbers(packed, now: Timestamp(seconds: 20), limit: nil) } == [1])
    }

    @Test("a queued order UPDATE whose version moved fails the whole transaction with conflict and stores nothing, also when caught")
    func versionGuard() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try Self.storeWithOrder(db)
        let before = try store.contentChecksum()
        let e = #expect(throws: OrderError.self) {
            try store.write { t in
                try t.lockOrder(1)
                let a = try #require(try t.loadAggregate(1))
                // What no other writer can do under the lock, done from inside: the version moves.
                try (t as! PostgresTransaction).rows("UPDATE orders SET version = version + 5 WHERE number = 1")
                let c = (t as! PostgresTransaction).connection
                let trips = c.roundTripCount
                try Self.update(t, a, "packed")
                #expect(c.roundTripCount == trips, "the UPDATE was queued, not sent")
                // The failure arrives with the next statement, which a caller catches.
                _ = try? t.savepoint { try t.orderExists(1) }
            }
        }
        #expect(e?.code == .conflict, "\(String(describing: e))")
        #expect(e?.message.contains("changed concurrently") == true)
        #expect(try store.contentChecksum() == before)
    }

    @Test("a lock given up by a rolled-back savepoint does not let the order's UPDATE skip its version check")
    func lockRolledBack() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try Self.storeWithOrder(db)
        try store.write { t in
            let pt = t as! PostgresTransaction
            _ = try? t.savepoint { () throws -> Void in
                try t.lockOrder(1)
                throw OrderError(.invalid, "refused after the lock was queued")
            }
            _ = try t.orderExists(1)  // the lock, its rollback and this go out together
            #expect(pt.health.lockedVersions[1] == nil, "the lock was released with its savepoint")
            try Self.setStatus(t, "packed")
            #expect(pt.health.lockedVersions[1] == .some(.some(2)))
        }
        #expect(try store.read { t in try t.loadAggregate(1)?.order.status } == "packed")
    }

    @Test("a refused idempotency key leaves the transaction usable: what follows commits")
    func refusedKeyKeepsTheTransaction() throws {
        let db = try ShopDatabase()
        defer { db.drop() }
        let store = try Self.storeWithOrder(db)
        let effect = EffectRecord(key: "cap-1", kind: "capture", order: 1, amount: 500, request: ["amount": 500], createdAt: Timestamp(seconds: 5))
        _ = try store.write { t in try t.insertEffect(effect) }
        try store.write { t in
            let e = #expect(throws: OrderError.self) { try t.insertEffect(effect) }
            #expect(e?.code == .conflict && e?.field == "idempotency_key")
            try Self.setStatus(t, "packed")
        }
        #expect(try store.read { t in try t.loadAggregate(1)?.order.status } == "packed")
        #expect(try store.read { t in try t.pendingEffects(limit: 10).map(\.key) } == ["cap-1"])
    }
}
