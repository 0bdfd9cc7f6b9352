import OrderCore
import PostgresClient

/// Gapless number series (orders, invoices, credit notes) on PostgreSQL.
///
/// A number is drawn in the transaction that creates the numbered thing, under the row lock
/// of the series row: `UPDATE … RETURNING` takes the same lock as `SELECT … FOR UPDATE`, in
/// one round trip. Another transaction drawing from the same series waits until this one
/// commits (it then gets the next number) or rolls back (the number is drawn again), so the
/// numbers are gapless and unique whichever server draws them. Under repeatable read a waiter
/// fails with `40001` instead and is retried. The lock is held until commit: a batch of
/// 1,000 creates holds every other server's creates of that series for the whole batch.
public enum PostgresNumbering {
    /// The next number of `series`, drawn in the open transaction of `connection`. Throws
    /// `misuse` outside a transaction (the lock would end with the statement and a rollback
    /// could not return the number), and `storage` when the series row is missing.
    public static func draw(_ series: NumberSeries, on connection: PostgresConnection) throws -> Int64 {
        guard connection.inTransaction else {
            throw OrderError(.misuse, "a number of the \(series.rawValue) series must be drawn inside the creating transaction")
        }
        let r = try connection.query("UPDATE number_series SET next = next + 1 WHERE series = $1 RETURNING next - 1", [.text(series.rawValue)])
        guard let row = r.first else { throw OrderError(.storage, "number series '\(series.rawValue)' is missing") }
        return try row.int(0)
    }

    /// The start and next number of `series` (no lock is taken).
    public static func state(_ series: NumberSeries, on connection: PostgresConnection) throws -> (start: Int64, next: Int64) {
        guard let row = try connection.query("SELECT start, next FROM number_series WHERE series = $1", [.text(series.rawValue)]).first else {
            throw OrderError(.storage, "number series '\(series.rawValue)' is missing")
        }
        return (try row.int(0), try row.int(1))
    }

    /// The start and next number of every series, in one statement (no lock is taken); a
    /// missing series row is absent.
    public static func states(on connection: PostgresConnection) throws -> [NumberSeries: (start: Int64, next: Int64)] {
        var out: [NumberSeries: (start: Int64, next: Int64)] = [:]
        for row in try connection.query("SELECT series, start, next FROM number_series") {
            if let s = NumberSeries(rawValue: try row.string(0)) { out[s] = (try row.int(1), try row.int(2)) }
        }
        return out
    }

    /// Sets the start of an unused series, as the SQLite store does: the current start again
    /// is a no-op; another value throws `conflict` once a number has been issued. The series
    /// row is locked first, so a number drawn meanwhile by another server is seen.
    public static func setStart(_ series: NumberSeries, _ start: Int64, on connection: PostgresConnection) throws {
        guard let row = try connection.query("SELECT start, next FROM number_series WHERE series = $1 FOR UPDATE", [.text(series.rawValue)]).first else {
            throw OrderError(.storage, "number series '\(series.rawValue)' is missing")
        }
        let (s, n) = (try row.int(0), try row.int(1))
        if s == start { return }
        guard n == s else {
            throw OrderError(.conflict,
                "\(series.startKey): the \(series.rawValue) series has issued \(s)–\(n - 1); its start can only be set before the first number (gapless numbering)",
                field: series.startKey)
        }
        try connection.query("UPDATE number_series SET start = $1, next = $1 WHERE series = $2", [.int(start), .text(series.rawValue)])
    }
}
