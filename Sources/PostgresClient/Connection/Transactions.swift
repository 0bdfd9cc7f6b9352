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
        // BEGIN goes out with the transaction's first statement, in its round trip.
        pending = [.simple(isolation == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(isolation.rawValue)")]
        beginPending = true
        commitGuard = nil
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

    /// Sets the statement that goes out right before this transaction's COMMIT, in the same
    /// round trip (replacing an earlier one): a check that must hold at the moment of commit,
    /// written to fail (an error of the server) when it does not. When it fails, nothing of the
    /// transaction is committed and its error is thrown by the commit. Outside a transaction:
    /// misuse.
    public func guardCommit(_ sql: String, _ parameters: [PostgresValue]) throws {
        guard depth > 0 else { throw PostgresError(.misuse, "guardCommit: no transaction is open on this connection") }
        commitGuard = (sql, try EncodedParameters(parameters))
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
        // Unique names: a ROLLBACK TO can only ever reach the savepoint it was written for (one
        // whose SAVEPOINT never ran, after a queued statement failed, is an error, never an
        // older savepoint of the same name).
        savepointCounter += 1
        let name = "oe_savepoint_\(savepointCounter)"
        // SAVEPOINT, RELEASE and ROLLBACK TO go out with the next statement, in its round trip;
        // a savepoint in which no statement ran is never sent at all.
        pending.append(.simple("SAVEPOINT \(name)"))
        let mark = flushes
        depth += 1
        do {
            let value = try body()
            depth -= 1
            if flushes == mark && pending.last?.text == "SAVEPOINT \(name)" {
                pending.removeLast()
            } else {
                pending.append(.simple("RELEASE SAVEPOINT \(name)"))
            }
            return value
        } catch {
            depth -= 1
            if flushes == mark && pending.last?.text == "SAVEPOINT \(name)" {
                pending.removeLast()
            } else if isConnected {
                pending += [.simple("ROLLBACK TO SAVEPOINT \(name)"), .simple("RELEASE SAVEPOINT \(name)")]
            }
            throw error
        }
    }

    // MARK: - Ending a transaction

    /// Commits the open transaction (with the statements still queued, in one round trip); see
    /// ``transaction(_:_:)`` for the aborted and lost cases. A transaction that sent nothing
    /// sends nothing now.
    private func commit() throws {
        defer {
            depth = 0
            pending = []
            beginPending = false
            commitGuard = nil
        }
        // Nothing sent and nothing queued but BEGIN, settings and savepoints: nothing to commit.
        if beginPending && !pending.contains(where: \.hasParameters) { return }
        if pending.isEmpty, isConnected, let h = rawHandle, PQtransactionStatus(h) == PQTRANS_INERROR {
            try? exec("ROLLBACK")
            throw PostgresConnection.caughtFailure
        }
        // A queued check is answered before COMMIT goes out: it may still refuse the commit
        // (and a loss now is before COMMIT: the transaction rolled back).
        if verificationPending {
            do { _ = try queries([]) } catch {
                if isConnected, let h = rawHandle, PQtransactionStatus(h) != PQTRANS_IDLE { try? exec("ROLLBACK") }
                throw error
            }
        }
        // Lost before COMMIT was sent: the server rolled back, and the error says so. Only a
        // loss while COMMIT is on its way or being answered leaves the outcome unknown.
        let sentOnALiveConnection = isConnected
        let result: PostgresResult
        do {
            let c = try live()
            // The guard goes out right before COMMIT, in its round trip: should it fail, the
            // transaction is aborted and COMMIT answers ROLLBACK; the guard's error is thrown.
            result = try send(commitGuard.map { [$0] } ?? [], then: "COMMIT", c).tail!
        } catch let e as PostgresError where e.isConnectionLoss && sentOnALiveConnection {
            var lost = e
            lost.message = "the connection was lost during COMMIT: the outcome is unknown (\(e.message))"
            throw lost
        } catch {
            // A queued statement failed (the transaction is open and aborted) or COMMIT did.
            if isConnected, let h = rawHandle, PQtransactionStatus(h) != PQTRANS_IDLE { try? exec("ROLLBACK") }
            throw error
        }
        // COMMIT of an aborted transaction (a failed statement was caught) answers ROLLBACK.
        if result.commandTag == "ROLLBACK" { throw PostgresConnection.caughtFailure }
    }

    /// The error of a commit that found its transaction aborted by a caught statement error.
    static var caughtFailure: PostgresError {
        PostgresError(.server, "a statement of the transaction failed (and was caught); the transaction was rolled back", sqlState: "25P02")
    }

    /// Rolls back after `body` failed; a lost connection has rolled back already on the server,
    /// and a transaction that sent nothing has nothing to roll back.
    private func rollbackAfterFailure() {
        let sentSomething = !beginPending
        pending = []
        beginPending = false
        commitGuard = nil
        if sentSomething && isConnected { try? exec("ROLLBACK") }
        depth = 0
    }
}
