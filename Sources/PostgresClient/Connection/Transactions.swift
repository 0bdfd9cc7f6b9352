import CPostgres
#if canImport(Glibc)
import Glibc
#endif

/// The isolation level of a transaction (PostgreSQL's default is read committed).
public enum IsolationLevel: String, Sendable, CaseIterable {
    /// Each statement sees what was committed before it began; row locks serialise writers.
    case readCommitted = "READ COMMITTED"
    /// One snapshot for the whole transaction; a write to a row changed since then fails with
    /// a serialization failure (`40001`).
    case repeatableRead = "REPEATABLE READ"
    /// As repeatable read, and any outcome no serial order could produce fails with `40001`.
    case serializable = "SERIALIZABLE"
}

// MARK: - Transactions

extension PostgresConnection {
    /// Runs `body` in a transaction at `isolation` and commits when it returns; rolls back and
    /// rethrows when it throws. Returns what `body` returned.
    ///
    /// A statement error inside `body` that `body` catches still leaves the transaction
    /// aborted on the server (PostgreSQL ignores every further statement): the commit then
    /// rolls back and throws `25P02` rather than pretending to commit. Use ``savepoint(_:)``
    /// around a statement that may fail on purpose. A transaction inside a transaction is
    /// misuse. A lost connection during the commit throws a connection-loss error whose
    /// message says the outcome is unknown.
    public func transaction<T>(_ isolation: IsolationLevel = .readCommitted, _ body: () throws -> T) throws -> T {
        guard depth == 0 else { throw PostgresError(.misuse, "a transaction is already open on this connection (use savepoint)") }
        try exec(isolation == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        depth = 1
        let value: T
        do {
            value = try body()
        } catch {
            rollbackAfterFailure()
            throw error
        }
        try commit()
        return value
    }

    /// Runs ``transaction(_:_:)`` and, when it fails with a serialization failure or a deadlock
    /// (``PostgresError/isRetryable``), runs it again from the start — at most `maxAttempts`
    /// times in all, with a short random pause between attempts so that the contenders do not
    /// collide again in step. `body` must be safe to run again: everything it did in the
    /// failed attempt was rolled back, but what it did outside the database was not. Any other
    /// error, or the last attempt's, is thrown.
    public func retryingTransaction<T>(_ isolation: IsolationLevel = .readCommitted, maxAttempts: Int = 5,
                                       _ body: () throws -> T) throws -> T {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        var attempt = 1
        while true {
            do {
                return try transaction(isolation, body)
            } catch let e as PostgresError where e.isRetryable && attempt < maxAttempts {
                attempt += 1
                usleep(UInt32.random(in: 100...(1000 * UInt32(attempt))))
            }
        }
    }

    /// Runs `body` inside a savepoint of the open transaction: when `body` throws, only what it
    /// did is rolled back and the transaction goes on (also after a statement error, which
    /// otherwise aborts the whole transaction). Savepoints nest. Outside a transaction: misuse.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard depth > 0 else { throw PostgresError(.misuse, "a savepoint needs an open transaction") }
        let name = "oe_savepoint_\(depth)"
        try exec("SAVEPOINT \(name)")
        depth += 1
        do {
            let value = try body()
            depth -= 1
            try exec("RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            depth -= 1
            if isConnected { try? exec("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }
            throw error
        }
    }

    // MARK: - Ending a transaction

    /// Commits the open transaction; see ``transaction(_:_:)`` for the aborted and lost cases.
    private func commit() throws {
        defer { depth = 0 }
        if isConnected, let h = rawHandle, PQtransactionStatus(h) == PQTRANS_INERROR {
            try? exec("ROLLBACK")
            throw PostgresError(.server, "a statement of the transaction failed (and was caught); the transaction was rolled back",
                                sqlState: "25P02")
        }
        // Lost before COMMIT was sent: the server rolled back, and the error says so. Only a
        // loss while COMMIT is on its way or being answered leaves the outcome unknown.
        let sentOnALiveConnection = isConnected
        do {
            try exec("COMMIT")
        } catch let e as PostgresError where e.isConnectionLoss && sentOnALiveConnection {
            var lost = e
            lost.message = "the connection was lost during COMMIT: the outcome is unknown (\(e.message))"
            throw lost
        }
    }

    /// Rolls back after `body` failed; a lost connection has rolled back already on the server.
    private func rollbackAfterFailure() {
        if isConnected { try? exec("ROLLBACK") }
        depth = 0
    }
}
