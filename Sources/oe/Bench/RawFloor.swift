import GRDBSQLite
import OrderCore
import OrderStore
#if canImport(Glibc)
import Glibc
#endif

/// The floor of the lifecycle benchmark: exactly the rows the engine wrote (read back from its
/// database) written again into an empty database of the same schema with raw SQLite prepared
/// statements — the same inserts per table, the same number of updates of each order row (its
/// version − 1) and of the number series, and each effect's insert plus its resolving update —
/// in the same batching. What the engine adds above this is its own cost.
struct RawFloor {
    let source: String
    let target: String

    /// Tables whose rows belong to an order, with their order column.
    static let tables: [(String, String)] = [
        ("orders", "number"), ("order_docs", "number"), ("payments", "order_number"), ("shipments", "order_number"), ("documents", "order_number"),
        ("timeline", "order_number"), ("outbox", "order_number"), ("effects", "order_number"),
    ]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes the rows of orders `1...orders` in transactions of `ordersPerTransaction` orders
    /// (or, with `transactionsPerOrder`, that many transactions per order); returns seconds spent writing.
    func run(orders: Int, ordersPerTransaction: Int, transactionsPerOrder: Int? = nil, synchronousFull: Bool) throws -> Double {
        unlink(target)
        unlink(target + "-wal")
        unlink(target + "-shm")
        _ = try OrderStore(path: target)  // the same schema, migrated
        let src = try RawFloor.openSource(source)
        let dst = try Connection(target, readOnly: false)
        try dst.exec("PRAGMA journal_mode = WAL")
        try dst.exec("PRAGMA synchronous = \(synchronousFull ? "FULL" : "NORMAL")")
        return try RawFloor.replay(from: src, into: dst, orders: orders, ordersPerTransaction: ordersPerTransaction,
                                   transactionsPerOrder: transactionsPerOrder)
    }

    /// The engine's database at `path`, opened read-only for replaying its rows.
    static func openSource(_ path: String) throws -> Connection {
        // Reading a batch's rows by order needs an index the engine does not keep on the
        // outbox (it reads the outbox by id); without it every batch scanned the whole outbox.
        try Connection(path, readOnly: false).exec("CREATE INDEX IF NOT EXISTS floor_outbox_order ON outbox (order_number)")
        return try Connection(path, readOnly: true)
    }

    /// Where a floor writes: SQLite here, PostgreSQL in `PostgresFloor`. Statements use `?`
    /// placeholders; a target translates them when its database wants others.
    protocol Target {
        func begin() throws
        func commit() throws
        func run(_ sql: String, _ values: [Value]) throws
    }

    /// Writes the rows of orders `1...orders` read from `src` into `dst`, in transactions of
    /// `ordersPerTransaction` orders (or, with `transactionsPerOrder`, that many transactions per
    /// order); returns seconds spent writing (reading the source is not timed).
    static func replay(from src: Connection, into dst: any Target, orders: Int, ordersPerTransaction: Int,
                       transactionsPerOrder: Int? = nil) throws -> Double {
        var seconds = 0.0
        var lo = 1
        while lo <= orders {
            let hi = min(orders, lo + ordersPerTransaction - 1)
            // Read this batch's rows (not timed), grouped by order.
            var rows: [String: [Int64: [[Value]]]] = [:]
            var columns: [String: [String]] = [:]
            for (table, key) in RawFloor.tables {
                let (cols, data) = try src.query("SELECT * FROM \(table) WHERE \(key) BETWEEN ? AND ?", [.int(Int64(lo)), .int(Int64(hi))])
                columns[table] = cols
                let keyIndex = cols.firstIndex(of: key)!
                for r in data { if case .int(let n) = r[keyIndex] { rows[table, default: [:]][n, default: []].append(r) } }
            }
            let t0 = now()
            let perOrder = transactionsPerOrder ?? 0
            if perOrder == 0 { try dst.begin() }
            for n in Int64(lo)...Int64(hi) {
                let statements = orderStatements(n, rows: rows, columns: columns)
                if perOrder > 0 {
                    let chunk = max(1, (statements.count + perOrder - 1) / perOrder)
                    for start in stride(from: 0, to: statements.count, by: chunk) {
                        try dst.begin()
                        for (sql, values) in statements[start..<min(start + chunk, statements.count)] { try dst.run(sql, values) }
                        try dst.commit()
                    }
                } else {
                    for (sql, values) in statements { try dst.run(sql, values) }
                }
            }
            if perOrder == 0 { try dst.commit() }
            seconds += now() - t0
            lo = hi + 1
        }
        return seconds
    }

    /// The statements that write order `n`'s rows: the inserts per table, the updates of the
    /// order row (its version − 1 of them), each effect's resolving update, the number draws.
    static func orderStatements(_ n: Int64, rows: [String: [Int64: [[Value]]]], columns: [String: [String]]) -> [(String, [Value])] {
        var statements: [(String, [Value])] = []
        for (table, _) in RawFloor.tables {
            let cols = columns[table]!
            let insert = "INSERT INTO \(table) (\(cols.joined(separator: ","))) VALUES (\(cols.map { _ in "?" }.joined(separator: ",")))"
            for r in rows[table]?[n] ?? [] {
                statements.append((insert, r))
                if table == "orders", case .int(let version) = r[cols.firstIndex(of: "version")!], version > 1 {
                    let set = cols.filter { $0 != "number" }.map { "\($0) = ?" }.joined(separator: ",")
                    let values = zip(cols, r).filter { $0.0 != "number" }.map(\.1) + [.int(n)]
                    for _ in 1..<version { statements.append(("UPDATE orders SET \(set) WHERE number = ?", values)) }
                }
                if table == "effects" {
                    statements.append(("UPDATE effects SET state = state, resolved_at = resolved_at WHERE id = ?", [r[0]]))
                }
            }
        }
        // Number draws: one per order, invoice and credit note.
        statements.append(("UPDATE number_series SET next = next + 1 WHERE series = 'order'", []))
        for d in rows["documents"]?[n] ?? [] {
            let series = d[0] == .text("invoice") ? "invoice" : "credit_note"
            statements.append(("UPDATE number_series SET next = next + 1 WHERE series = '\(series)'", []))
        }
        return statements
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    enum Value: Equatable {
        case null, int(Int64), real(Double), text(String), blob([UInt8])
    }

    /// A bare sqlite3 connection with a prepared-statement cache.
    final class Connection: Target {
        let db: OpaquePointer
        var statements: [String: OpaquePointer] = [:]

        init(_ path: String, readOnly: Bool) throws {
            var h: OpaquePointer?
            let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            guard sqlite3_open_v2(path, &h, flags, nil) == SQLITE_OK, let h else { throw Failure(description: "cannot open \(path)") }
            db = h
        }

        deinit {
            for s in statements.values { sqlite3_finalize(s) }
            sqlite3_close(db)
        }

        func exec(_ sql: String) throws {
            if sqlite3_exec(db, sql, nil, nil, nil) != SQLITE_OK { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        }

        func begin() throws { try exec("BEGIN IMMEDIATE") }
        func commit() throws { try exec("COMMIT") }

        func statement(_ sql: String) throws -> OpaquePointer {
            if let s = statements[sql] { return s }
            var s: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &s, nil) == SQLITE_OK, let s else {
                throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
            statements[sql] = s
            return s
        }

        func run(_ sql: String, _ values: [Value]) throws {
            let s = try bound(sql, values)
            let rc = sqlite3_step(s)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))") }
        }

        /// The cached statement of `sql`, reset, with `values` bound.
        private func bound(_ sql: String, _ values: [Value]) throws -> OpaquePointer {
            let s = try statement(sql)
            sqlite3_reset(s)
            for (i, v) in values.enumerated() {
                let k = Int32(i + 1)
                switch v {
                case .null: sqlite3_bind_null(s, k)
                case .int(let x): sqlite3_bind_int64(s, k, x)
                case .real(let x): sqlite3_bind_double(s, k, x)
                case .text(let x): sqlite3_bind_text(s, k, x, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                case .blob(let x): sqlite3_bind_blob(s, k, x, Int32(x.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                }
            }
            return s
        }

        /// The rows of `sql` with `values` bound (statements are cached by their text: values
        /// must be bound, not written into it, or the cache grows with every batch).
        func query(_ sql: String, _ values: [Value] = []) throws -> ([String], [[Value]]) {
            let s = try bound(sql, values)
            let n = sqlite3_column_count(s)
            let cols = (0..<n).map { String(cString: sqlite3_column_name(s, $0)) }
            var out: [[Value]] = []
            while sqlite3_step(s) == SQLITE_ROW {
                out.append((0..<n).map { i in
                    switch sqlite3_column_type(s, i) {
                    case SQLITE_INTEGER: return .int(sqlite3_column_int64(s, i))
                    case SQLITE_FLOAT: return .real(sqlite3_column_double(s, i))
                    case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(s, i)))
                    case SQLITE_BLOB:
                        let len = Int(sqlite3_column_bytes(s, i))
                        let p = sqlite3_column_blob(s, i)
                        return .blob(len == 0 || p == nil ? [] : Array(UnsafeRawBufferPointer(start: p, count: len)))
                    default: return .null
                    }
                })
            }
            return (cols, out)
        }
    }
}
