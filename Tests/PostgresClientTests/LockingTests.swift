import Foundation
import PostgresClient
import Testing

/// Row locks, SKIP LOCKED and serialization failures between two connections: what the
/// PostgreSQL store's invariants (one capture at a time per order, gapless numbers, one
/// worker per outbox message) will rest on.
@Suite(.enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct LockingTests {
    @Test func selectForUpdateBlocksASecondWriterUntilTheFirstCommits() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect()
        let observer = try t.connect()
        try a.exec("CREATE TABLE orders (number int8 PRIMARY KEY, captured int8 NOT NULL)")
        try a.query("INSERT INTO orders VALUES (1, 0)")
        let url = t.url
        var waiterPID: Int32 = 0
        var waiter: Background<Int64>?
        try a.transaction {
            #expect(try a.query("SELECT captured FROM orders WHERE number = $1 FOR UPDATE", [1])[0].int(0) == 0)
            let pidBox = PIDBox()
            waiter = Background {
                let b = try PostgresConnection(url: url)
                pidBox.set(b.backendPID)
                return try b.transaction {
                    // Blocks until a commits, then reads a's committed value (read committed).
                    let seen = try b.query("SELECT captured FROM orders WHERE number = $1 FOR UPDATE", [1])[0].int(0)
                    try b.query("UPDATE orders SET captured = $1 WHERE number = 1", [.int(seen + 100)])
                    return seen
                }
            }
            waiterPID = pidBox.wait()
            #expect(try t.waitUntilBlocked(waiterPID, by: observer), "the second connection never waited for the row lock")
            try a.query("UPDATE orders SET captured = 500 WHERE number = 1")
        }
        #expect(try waiter?.wait() == 500)
        #expect(try a.query("SELECT captured FROM orders")[0].int(0) == 600)
    }

    @Test func nowaitFailsAtOnceWithLockNotAvailable() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), b = try t.connect()
        try a.exec("CREATE TABLE orders (number int8 PRIMARY KEY)")
        try a.query("INSERT INTO orders VALUES (1)")
        try a.transaction {
            try a.query("SELECT 1 FROM orders WHERE number = 1 FOR UPDATE")
            let e = #expect(throws: PostgresError.self) {
                try b.transaction { try b.query("SELECT 1 FROM orders WHERE number = 1 FOR UPDATE NOWAIT") }
            }
            #expect(e?.sqlState == "55P03")
        }
    }

    @Test func skipLockedHandsEachOutboxMessageToOneWorker() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), b = try t.connect()
        try a.exec("CREATE TABLE outbox (id int8 PRIMARY KEY, status text NOT NULL)")
        try a.query("INSERT INTO outbox SELECT g, 'pending' FROM generate_series(1, 10) g")
        let claim = "SELECT id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
        try a.transaction {
            let mine = try a.query(claim, [3]).map { try $0.int(0) }
            #expect(mine == [1, 2, 3])
            // b neither waits for a's rows nor gets them.
            let theirs = try b.transaction { try b.query(claim, [100]).map { try $0.int(0) } }
            #expect(theirs == Array(4...10))
            try a.query("UPDATE outbox SET status = 'sent' WHERE id = ANY($1::int8[])", [.text("{1,2,3}")])
        }
        // After a's commit its rows are no longer pending; b's claim (rolled back) left them pending.
        #expect(try b.query(claim, [100]).map { try $0.int(0) } == Array(4...10))
    }

    @Test func repeatableReadWriteConflictIsARetryableSerializationFailure() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), b = try t.connect()
        try a.exec("CREATE TABLE series (name text PRIMARY KEY, next int8 NOT NULL)")
        try a.query("INSERT INTO series VALUES ('invoice', 1)")
        let e = #expect(throws: PostgresError.self) {
            try a.transaction(.repeatableRead) {
                _ = try a.query("SELECT next FROM series WHERE name = 'invoice'")
                try b.query("UPDATE series SET next = next + 1 WHERE name = 'invoice'")  // b commits meanwhile
                try a.query("UPDATE series SET next = next + 1 WHERE name = 'invoice'")
            }
        }
        #expect(e?.sqlState == "40001")
        #expect(e?.isRetryable == true)
        #expect(e?.code == .conflict)
        #expect(try a.query("SELECT next FROM series")[0].int(0) == 2)
    }

    @Test func serializableWriteSkewFailsOneOfTheTwoTransactions() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), b = try t.connect()
        // Two captures against one authorisation of 100: each checks the total, then inserts.
        try a.exec("CREATE TABLE captures (order_number int8 NOT NULL, amount int8 NOT NULL)")
        try a.exec("BEGIN ISOLATION LEVEL SERIALIZABLE")
        try b.exec("BEGIN ISOLATION LEVEL SERIALIZABLE")
        for c in [a, b] { #expect(try c.query("SELECT coalesce(sum(amount), 0) FROM captures WHERE order_number = 1")[0].int(0) == 0) }
        try a.query("INSERT INTO captures VALUES (1, 100)")
        try b.query("INSERT INTO captures VALUES (1, 100)")
        try a.exec("COMMIT")
        var failure: PostgresError?
        do { try b.exec("COMMIT") } catch let e as PostgresError { failure = e }
        #expect(failure?.sqlState == "40001")
        #expect(failure?.isRetryable == true)
        #expect(try a.query("SELECT count(*) FROM captures")[0].int(0) == 1)
    }

    @Test func retryingTransactionRunsTheBodyAgainAfterASerializationFailure() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), b = try t.connect()
        try a.exec("CREATE TABLE series (name text PRIMARY KEY, next int8 NOT NULL)")
        try a.query("INSERT INTO series VALUES ('order', 1)")
        var attempts = 0
        let drawn = try a.retryingTransaction(.repeatableRead, maxAttempts: 3) {
            attempts += 1
            let n = try a.query("SELECT next FROM series WHERE name = 'order'")[0].int(0)
            if attempts == 1 { try b.query("UPDATE series SET next = next + 1 WHERE name = 'order'") }
            try a.query("UPDATE series SET next = $1 WHERE name = 'order'", [.int(n + 1)])
            return n
        }
        #expect(attempts == 2)
        #expect(drawn == 2)  // b drew 1; the retry saw it
        #expect(try a.query("SELECT next FROM series")[0].int(0) == 3)
        // Bounded: a conflict on every attempt ends after maxAttempts with the failure itself.
        attempts = 0
        let e = #expect(throws: PostgresError.self) {
            try a.retryingTransaction(.repeatableRead, maxAttempts: 3) {
                attempts += 1
                _ = try a.query("SELECT next FROM series WHERE name = 'order'")
                try b.query("UPDATE series SET next = next + 1 WHERE name = 'order'")
                try a.query("UPDATE series SET next = next + 1 WHERE name = 'order'")
            }
        }
        #expect(attempts == 3)
        #expect(e?.isRetryable == true)
        // Not retried: an error that is not a serialization failure.
        attempts = 0
        #expect(throws: PostgresError.self) {
            try a.retryingTransaction { attempts += 1; try a.query("SELECT 1/0") }
        }
        #expect(attempts == 1)
    }

    @Test func aDeadlockIsDetectedAndRetryable() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let a = try t.connect(), observer = try t.connect()
        try a.exec("CREATE TABLE orders (number int8 PRIMARY KEY, v int8 NOT NULL)")
        try a.query("INSERT INTO orders VALUES (1, 0), (2, 0)")
        let url = t.url
        let pidBox = PIDBox(), goBox = PIDBox()
        var outcomes: [PostgresError?] = []
        // a locks 1 then 2; b locks 2 then 1. The server breaks the cycle by failing one of them.
        let b = Background { () -> PostgresError? in
            let b = try PostgresConnection(url: url)
            try b.exec("SET deadlock_timeout = '50ms'")
            do {
                try b.transaction {
                    try b.query("UPDATE orders SET v = v + 1 WHERE number = 2")
                    pidBox.set(b.backendPID)
                    _ = goBox.wait()
                    try b.query("UPDATE orders SET v = v + 1 WHERE number = 1")
                }
                return nil
            } catch let e as PostgresError { return e }
        }
        try a.exec("SET deadlock_timeout = '50ms'")
        do {
            try a.transaction {
                try a.query("UPDATE orders SET v = v + 1 WHERE number = 1")
                let bPID = pidBox.wait()
                goBox.set(1)
                #expect(try t.waitUntilBlocked(bPID, by: observer))
                try a.query("UPDATE orders SET v = v + 1 WHERE number = 2")
            }
            outcomes.append(nil)
        } catch let e as PostgresError { outcomes.append(e) }
        outcomes.append(try #require(try b.wait()))
        let failed = outcomes.compactMap { $0 }
        #expect(failed.count == 1)
        #expect(failed.first?.sqlState == "40P01")
        #expect(failed.first?.isRetryable == true)
        // Exactly one transaction's two updates committed.
        #expect(try a.query("SELECT sum(v) FROM orders")[0].int(0) == 2)
    }
}

/// A value handed from one thread to another once.
final class PIDBox: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var value: Int32 = 0
    func set(_ v: Int32) { value = v; ready.signal() }
    func wait() -> Int32 { ready.wait(); ready.signal(); return value }
}
