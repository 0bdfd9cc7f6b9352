import PostgresClient
import Testing

/// Statements sent together: ``PostgresConnection/queries(_:)`` (a pipeline), the queue of
/// ``PostgresConnection/enqueue(_:_:)`` that goes out with the next statement, and the
/// transactions and savepoints that ride along — fewer round trips, the same outcome as one
/// statement at a time, also when a queued statement fails.
@Suite(.enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct PipelineTests {
    @Test func queriesRunInOrderInOneRoundTrip() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let c = try t.connect()
        try c.exec("CREATE TABLE t (id int8 PRIMARY KEY, v text NOT NULL)")
        let before = c.roundTripCount
        let r = try c.queries([("INSERT INTO t VALUES ($1, $2)", [1, "a"]), ("INSERT INTO t VALUES ($1, $2)", [2, "b"]),
                               ("SELECT count(*) FROM t", [])])
        #expect(c.roundTripCount - before == 1)
        #expect(r.count == 3)
        #expect(r[0].rowsAffected == 1)
        #expect(try r[2][0].int(0) == 2, "the SELECT saw both INSERTs before it")
    }

    @Test func aFailingStatementStopsTheOnesAfterItAndOutsideATransactionUndoesThoseBefore() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let c = try t.connect()
        try c.exec("CREATE TABLE t (id int8 PRIMARY KEY)")
        let e = #expect(throws: PostgresError.self) {
            try c.queries([("INSERT INTO t VALUES ($1)", [1]), ("INSERT INTO t VALUES ($1)", [1]), ("INSERT INTO t VALUES ($1)", [3])])
        }
        #expect(e?.sqlState == "23505", "the duplicate key is the error thrown")
        #expect(try c.query("SELECT count(*) FROM t")[0].int(0) == 0, "one implicit transaction: all or nothing")
        // The connection is usable again, and the statements stay prepared.
        try c.query("INSERT INTO t VALUES ($1)", [7])
        #expect(try c.query("SELECT count(*) FROM t")[0].int(0) == 1)
    }

    @Test func queuedStatementsGoOutWithTheNextOneAndAnEmptyTransactionSendsNothing() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let c = try t.connect()
        try c.exec("CREATE TABLE t (id int8 PRIMARY KEY)")
        try c.query("INSERT INTO t VALUES ($1)", [0])  // prepared from here on
        var before = c.roundTripCount
        try c.transaction { try c.savepoint { } }
        #expect(c.roundTripCount == before, "BEGIN and a savepoint in which nothing ran are never sent")

        before = c.roundTripCount
        try c.transaction {
            try c.enqueue("SET LOCAL synchronous_commit = on")
            try c.savepoint { try c.enqueue("INSERT INTO t VALUES ($1)", [1]) }
            try c.enqueue("INSERT INTO t VALUES ($1)", [2])
            // Sent with BEGIN, the setting, the savepoint and both inserts: it sees them.
            #expect(try c.query("SELECT count(*) FROM t")[0].int(0) == 3)
            try c.enqueue("INSERT INTO t VALUES ($1)", [3])
        }
        #expect(c.roundTripCount - before == 2, "the SELECT with everything queued before it, then COMMIT with the last insert")
        #expect(try c.query("SELECT count(*) FROM t")[0].int(0) == 4)
        #expect(throws: PostgresError.self) { try c.enqueue("INSERT INTO t VALUES ($1)", [9]) }
    }

    @Test func aSavepointThatFailsUndoesItsQueuedStatementsOnly() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let c = try t.connect()
        try c.exec("CREATE TABLE t (id int8 PRIMARY KEY)")
        struct Refused: Error {}
        try c.transaction {
            try c.query("INSERT INTO t VALUES ($1)", [1])
            #expect(throws: Refused.self) {
                try c.savepoint {
                    try c.query("INSERT INTO t VALUES ($1)", [2])
                    try c.enqueue("INSERT INTO t VALUES ($1)", [3])
                    throw Refused()
                }
            }
        }
        #expect(try c.query("SELECT id FROM t ORDER BY id").map { try $0.int(0) } == [1])
    }

    @Test func aQueuedStatementThatFailsFailsTheTransactionAndNeverRollsBackAnEarlierSavepoint() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let c = try t.connect()
        try c.exec("CREATE TABLE t (id int8 PRIMARY KEY)")
        var surfaced: PostgresError?
        #expect(throws: PostgresError.self) {
            try c.transaction {
                try c.savepoint {
                    try c.query("INSERT INTO t VALUES ($1)", [1])
                    try c.enqueue("INSERT INTO t VALUES ($1)", [1])  // fails, but only when it goes out
                }
                // The failure surfaces in the next savepoint, which was never opened on the
                // server: its ROLLBACK TO must not reach the first one (whose RELEASE never ran
                // either) and quietly undo the aborted state.
                do { try c.savepoint { try c.query("SELECT 1") } } catch let e as PostgresError { surfaced = e }
                try c.query("SELECT 1")
            }
        }
        #expect(surfaced?.sqlState == "23505")
        #expect(c.inTransaction == false)
        #expect(try c.query("SELECT count(*) FROM t")[0].int(0) == 0, "nothing of the failed transaction was committed")
    }
}
