import PostgresClient
import Testing

/// A connection whose backend is terminated fails with a storage error, never runs the rest
/// of a lost transaction on a new connection, and connects again on the next use.
@Suite(.enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct ConnectionLossTests {
    @Test func aTerminatedBackendIsAStorageErrorAndTheNextCallReconnects() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect(), killer = try t.connect()
        try db.exec("CREATE TABLE t (v int8)")
        _ = try db.query("SELECT count(*) FROM t")  // a cached prepared statement
        let before = db.backendPID
        try t.terminate(db, from: killer)
        let e = #expect(throws: PostgresError.self) { try db.query("SELECT count(*) FROM t") }
        #expect(e?.isConnectionLoss == true)
        #expect(e?.kind == .connectionLost)
        #expect(e?.code == .storage)
        #expect(e?.isRetryable == false)
        // The next call connects again; the statement is prepared afresh on the new backend.
        #expect(try db.query("SELECT count(*) FROM t")[0].int(0) == 0)
        #expect(db.reconnects == 1)
        #expect(db.backendPID != before)
        #expect(db.isConnected)
    }

    @Test func aLostTransactionCommitsNothingAndItsRestNeverRunsOnANewConnection() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect(), killer = try t.connect()
        try db.exec("CREATE TABLE t (v int8)")
        var afterLoss: [PostgresError] = []
        let e = #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.query("INSERT INTO t VALUES (1)")
                try t.terminate(db, from: killer)
                do { try db.query("INSERT INTO t VALUES (2)") } catch let e as PostgresError { afterLoss.append(e) }
                // A statement after the loss inside the same transaction must not reconnect and run alone.
                try db.query("INSERT INTO t VALUES (3)")
            }
        }
        #expect(afterLoss.count == 1)
        #expect(afterLoss.first?.isConnectionLoss == true)
        #expect(e?.isConnectionLoss == true)
        #expect(db.inTransaction == false)
        #expect(try db.query("SELECT count(*) FROM t")[0].int(0) == 0)
        #expect(db.reconnects == 1)
    }

    @Test func aLossDuringCommitSaysTheOutcomeIsUnknown() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect(), killer = try t.connect()
        try db.exec("CREATE TABLE t (v int8)")
        let e = #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.query("INSERT INTO t VALUES (1)")
                try t.terminate(db, from: killer)
            }
        }
        #expect(e?.isConnectionLoss == true)
        #expect(e?.message.contains("unknown") == true)
        // Here the backend died before COMMIT arrived: nothing committed.
        #expect(try db.query("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    @Test func closeThenUseConnectsAgain() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        db.close()
        #expect(!db.isConnected)
        #expect(try db.query("SELECT 41 + 1")[0].int(0) == 42)
    }
}
