import GRDB
import GRDBSQLite

/// A value bound straight to a parameter of an SQLite statement on the write path.
///
/// Why not GRDB's `StatementArguments`: building one from an array literal boxes every value
/// as an existential `DatabaseValueConvertible`, converts it to a `DatabaseValue`, and binds
/// through nested closures; that was a fifth of a status change. The statements are still
/// GRDB's cached statements on GRDB's connection, in GRDB's transaction; only the binding and
/// the stepping of these INSERT/UPDATE statements are done here.
protocol SQLBindable {
    /// Binds `self` to parameter `index` (1-based) of `statement`; returns SQLite's result code.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

/// Tells SQLite to copy a bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Int64: SQLBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
}

extension Bool: SQLBindable {
    /// As GRDB stores it: 1 or 0.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension String: SQLBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = self
        return text.withUTF8 { bytes in
            // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transient)
            }
        }
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .some(let v): v.bind(to: statement, at: index)
        case .none: sqlite3_bind_null(statement, index)
        }
    }
}

/// A value whose equality matters (to write only the columns that changed): the order row's
/// values shared with the other backends.
typealias SQLValue = StoredValue

extension StoredValue: SQLBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .int(let v): v.bind(to: statement, at: index)
        case .text(let v): v.bind(to: statement, at: index)
        case .null: sqlite3_bind_null(statement, index)
        }
    }
}

extension StoreSession {
    /// Runs the INSERT or UPDATE `sql` (GRDB's cached statement) with `values` bound in order.
    /// SQLite's errors (a constraint, an append-only trigger) are thrown as GRDB's
    /// `DatabaseError`, with SQLite's message, as GRDB's own execution would.
    func write<each V: SQLBindable>(_ sql: String, _ values: repeat each V) throws {
        try step(sql) { s in
            var index: Int32 = 0
            var failure: Int32 = SQLITE_OK
            for value in repeat each values {
                index += 1
                let code = value.bind(to: s, at: index)
                if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
            }
            return (index, failure)
        }
    }

    /// `write` with a list of values assembled at run time.
    func write(_ sql: String, values: [SQLValue]) throws {
        try step(sql) { s in
            var failure: Int32 = SQLITE_OK
            for (i, value) in values.enumerated() {
                let code = value.bind(to: s, at: Int32(i + 1))
                if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
            }
            return (Int32(values.count), failure)
        }
    }

    /// Resets the cached statement of `sql`, lets `bind` bind its values (returning how many
    /// and the first failure), and steps it to the end.
    private func step(_ sql: String, _ bind: (OpaquePointer) -> (count: Int32, failure: Int32)) throws {
        let statement = try db.cachedStatement(sql: sql)
        let s = statement.sqliteStatement
        sqlite3_reset(s)  // returns the previous run's error, already reported
        let (count, failure) = bind(s)
        guard failure == SQLITE_OK, count == sqlite3_bind_parameter_count(s) else {
            sqlite3_clear_bindings(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: failure == SQLITE_OK ? SQLITE_RANGE : failure),
                                message: "\(count) values for \(sqlite3_bind_parameter_count(s)) parameters", sql: sql)
        }
        var code = sqlite3_step(s)
        while code == SQLITE_ROW { code = sqlite3_step(s) }
        if code != SQLITE_DONE {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
        sqlite3_reset(s)
        sqlite3_clear_bindings(s)
    }
}
