import PostgresClient
import Testing

/// Server errors carry their SQLSTATE; failed transactions leave nothing behind.
@Suite(.enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct ErrorTests {
    @Test func uniqueViolationNamesItsConstraintAndRollsTheTransactionBack() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE effects (id int8 PRIMARY KEY, key text NOT NULL CONSTRAINT effects_key UNIQUE)")
        try db.query("INSERT INTO effects VALUES (1, 'capture:1:1')")
        let e = #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.query("INSERT INTO effects VALUES (2, 'capture:2:1')")
                try db.query("INSERT INTO effects VALUES (3, 'capture:1:1')")
            }
        }
        #expect(e?.sqlState == "23505")
        #expect(e?.isUniqueViolation == true)
        #expect(e?.constraint == "effects_key")
        #expect(e?.detail?.contains("capture:1:1") == true)
        #expect(e?.code == .conflict)
        #expect(e?.isRetryable == false)
        #expect(db.inTransaction == false)
        #expect(try db.query("SELECT count(*) FROM effects")[0].int(0) == 1)  // row 2 rolled back too
    }

    @Test func aSyntaxErrorLeavesTheConnectionUsable() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        let e = #expect(throws: PostgresError.self) { try db.query("SELEC 1") }
        #expect(e?.sqlState == "42601")
        #expect(e?.code == .storage)
        #expect(e?.kind == .server)
        #expect(try db.query("SELECT 1")[0].int(0) == 1)
    }

    @Test func aCaughtStatementErrorMakesTheCommitFailInsteadOfCommittingHalf() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE t (v int8 PRIMARY KEY)")
        let e = #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.query("INSERT INTO t VALUES (1)")
                _ = try? db.query("INSERT INTO t VALUES (1)")  // fails; swallowed
            }
        }
        #expect(e?.sqlState == "25P02")
        #expect(try db.query("SELECT count(*) FROM t")[0].int(0) == 0)
        // A savepoint is how a transaction survives a statement that may fail.
        try db.transaction {
            try db.query("INSERT INTO t VALUES (1)")
            _ = try? db.savepoint { try db.query("INSERT INTO t VALUES (1)") }
            try db.query("INSERT INTO t VALUES (2)")
        }
        #expect(try db.query("SELECT v FROM t ORDER BY v").map { try $0.int(0) } == [1, 2])
    }

    @Test func savepointsNestAndRollBackOnlyTheirOwnWork() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        try db.exec("CREATE TABLE t (v int8)")
        struct Refused: Error {}
        try db.transaction {
            try db.query("INSERT INTO t VALUES (1)")
            try db.savepoint {
                try db.query("INSERT INTO t VALUES (2)")
                #expect(throws: Refused.self) {
                    try db.savepoint {
                        try db.query("INSERT INTO t VALUES (3)")
                        throw Refused()
                    }
                }
            }
        }
        #expect(try db.query("SELECT v FROM t ORDER BY v").map { try $0.int(0) } == [1, 2])
    }

    @Test func misuseIsAnErrorNotACrash() throws {
        let t = try TestDatabase()
        defer { t.drop() }
        let db = try t.connect()
        let nested = #expect(throws: PostgresError.self) { try db.transaction { try db.transaction {} } }
        #expect(nested?.kind == .misuse)
        let outside = #expect(throws: PostgresError.self) { try db.savepoint {} }
        #expect(outside?.kind == .misuse)
        #expect(try db.query("SELECT 1")[0].int(0) == 1)
        let copy = #expect(throws: PostgresError.self) { try db.exec("COPY (SELECT 1) TO STDOUT") }
        #expect(copy?.kind == .misuse)
        #expect(try db.query("SELECT 2")[0].int(0) == 2)  // connected again
        let wrongScheme = #expect(throws: PostgresError.self) { try PostgresConnection(url: "shop.sqlite") }
        #expect(wrongScheme?.kind == .misuse)
    }

    @Test func aFailedConnectionNamesTheServerButNotThePassword() throws {
        // Port 1 on 127.0.0.1: nothing listens there.
        let e = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://oe:s3cret-pw@127.0.0.1:1/oe_test?connect_timeout=2")
        }
        #expect(e?.kind == .connectionFailed)
        #expect(e?.isConnectionLoss == true)
        #expect(e?.code == .storage)
        #expect(e?.message.contains("127.0.0.1") == true)
        #expect(e?.description.contains("s3cret-pw") == false)
        // A wrong password is refused the same way.
        let base = try #require(TestDatabase.url)
        let wrong = base.replacingFirstPassword(with: "wrong")
        let auth = #expect(throws: PostgresError.self) { try PostgresConnection(url: wrong) }
        #expect(auth?.kind == .connectionFailed)
        #expect(auth?.description.contains("wrong") == false)
    }
}

extension String {
    /// This URL with the password of its user-info replaced.
    func replacingFirstPassword(with pw: String) -> String {
        guard let scheme = firstRange(of: "://"), let at = self[scheme.upperBound...].firstIndex(of: "@"),
              let colon = self[scheme.upperBound..<at].firstIndex(of: ":") else { return self }
        var s = self
        s.replaceSubrange(index(after: colon)..<at, with: pw)
        return s
    }
}
