import GRDB
import OrderCore

/// A durable ledger for the simulated payment gateway — the bank's view, in its own SQLite
/// file, so a crash test can compare what the engine booked with what the "bank" did.
/// Each operation is committed under its idempotency key before the answer is returned.
public final class GatewayLedgerStore: Sendable {
    private let queue: DatabaseQueue

    /// Opens (creating) the ledger at `path`. Throws `storage` when it cannot.
    public init(path: String) throws(OrderError) {
        do {
            var config = Configuration()
            config.busyMode = .timeout(30)
            config.journalMode = .wal
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS operations (
                        idempotency_key TEXT PRIMARY KEY, order_number INTEGER NOT NULL, operation TEXT NOT NULL,
                        amount INTEGER NOT NULL, outcome TEXT NOT NULL, reference TEXT, reason TEXT)
                    """)
            }
        } catch {
            throw OrderError(.storage, "cannot open the gateway ledger \(path): \(error)")
        }
    }

    /// A recorded operation: (outcome, reference or reason).
    public func find(key: String) throws -> (outcome: String, detail: String?)? {
        try queue.read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT outcome, reference, reason FROM operations WHERE idempotency_key = ?", arguments: [key]) else { return nil }
            let outcome: String = r[0]
            return (outcome, outcome == "approved" ? r[1] : r[2])
        }
    }

    /// Records an operation once: if the key is there already, returns the first record.
    public func record(key: String, order: Int64, operation: String, amount: Int64, outcome: String, detail: String?) throws -> (outcome: String, detail: String?) {
        try queue.write { db in
            if let r = try Row.fetchOne(db, sql: "SELECT outcome, reference, reason FROM operations WHERE idempotency_key = ?", arguments: [key]) {
                let o: String = r[0]
                return (o, o == "approved" ? r[1] : r[2])
            }
            try db.execute(sql: "INSERT INTO operations VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: [
                key, order, operation, amount, outcome, outcome == "approved" ? detail : nil, outcome == "approved" ? nil : detail])
            return (outcome, detail)
        }
    }
}
