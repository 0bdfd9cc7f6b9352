import GRDB
import OrderCore

/// One transaction on the store, handed to the closure of `OrderStore.write` or `read`.
/// Valid only inside that closure; not to be kept or shared between threads.
///
/// Its methods are grouped by concern in the `Records/` and `Queries/` folders.
package struct StoreSession: StoreTransaction {
    let db: Database
    /// Decoded orders shared across transactions (see `AggregateCache` for why this is safe).
    let cache: AggregateCache?
    /// Whether this is a read transaction (only those may add to the cache).
    let isRead: Bool
    /// The gateway effects recorded in this transaction are sent to: its identity, or the
    /// error to refuse them with when no gateway is configured (nil: recorded unnamed).
    package var effectGateway: Result<String, OrderError>?

    init(db: Database, cache: AggregateCache? = nil, isRead: Bool = false) {
        self.db = db
        self.cache = cache
        self.isRead = isRead
    }

    /// Runs `sql`, which takes no values, through GRDB's statement cache (statements with
    /// values go through `write`).
    func exec(_ sql: String) throws {
        try db.cachedStatement(sql: sql).execute()
    }

    /// The first row of `sql`, or nil.
    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// All rows of `sql`.
    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// `transform` of every row of `sql`, read straight from the statement: unlike `rows`, no
    /// row is copied (the `Row` passed is valid only during the call).
    func mapRows<T>(_ sql: String, _ arguments: StatementArguments = [], _ transform: (Row) throws -> T) throws -> [T] {
        var out: [T] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let r = try cursor.next() { out.append(try transform(r)) }
        return out
    }

    /// The rowid of the last INSERT.
    var lastInsertedId: Int64 { db.lastInsertedRowID }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { db.changesCount }

    /// An FNV-1a hash over every row of every table, in primary-key order.
    package func contentChecksum() throws -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        for t in tables {
            let lines = try Row.fetchAll(db, sql: "SELECT * FROM \"\(t)\"").map(\.description).sorted()
            for line in lines {
                for byte in "\(t)|\(line)".utf8 {
                    h ^= UInt64(byte)
                    h = h &* 0x100_0000_01b3
                }
            }
        }
        return String(h, radix: 16)
    }
}

extension JSON {
    /// Parses JSON text the store wrote itself (trusted); malformed text becomes `null`.
    static func stored(_ text: String?) -> JSON {
        guard let text else { return .null }
        return (try? JSONParser.parse(text)) ?? .null
    }
}

extension Row {
    /// The JSON text the store wrote itself in column `index`, parsed from the statement's
    /// bytes (no intermediate `String` to validate and copy); NULL or malformed text is `null`.
    func storedJSON(_ index: Int) -> JSON {
        (try? withUnsafeData(atIndex: index) { data -> JSON in
            guard let data else { return .null }
            return (try? JSONParser.parse(bytes: [UInt8](data))) ?? .null
        }) ?? .null
    }
}

extension Timestamp {
    init?(_ seconds: Int64?) {
        guard let seconds else { return nil }
        self.init(seconds: seconds)
    }
}

extension StoreSession {
    /// Runs `body` in a savepoint: its writes are undone if it throws (and the error rethrown),
    /// kept if it returns. The enclosing transaction decides the rest.
    ///
    /// Uses cached statements (`SAVEPOINT`, `RELEASE`, `ROLLBACK TO`): every command of a batch
    /// runs in one, and preparing the three statements anew each time (as GRDB's `inSavepoint`
    /// does) was a measurable share of a command. SQLite nests savepoints of one name as a stack.
    package func savepoint<T>(_ body: () throws -> T) throws -> T {
        try exec("SAVEPOINT oe")
        let result: T
        do {
            result = try body()
        } catch {
            try exec("ROLLBACK TO oe")
            try exec("RELEASE oe")
            throw error
        }
        try exec("RELEASE oe")
        return result
    }
}

extension StoreSession {
    /// A no-op: SQLite serialises writers (`BEGIN IMMEDIATE` takes the database's write lock),
    /// so no other transaction can change the order until this one ends.
    package func lockOrder(_ number: Int64) throws {}
}
