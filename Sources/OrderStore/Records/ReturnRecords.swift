import GRDB
import OrderCore

extension StoreSession {
    /// Inserts a new return (its number already drawn).
    package func insertReturn(_ r: GoodsReturn) throws {
        try write("""
            INSERT INTO returns (number, order_number, state, withdrawal, created_at, deadline, refund_key, doc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, r.number, r.order, r.state.rawValue, r.withdrawal, r.createdAt.seconds, r.deadline?.seconds, r.refundKey,
                 r.stored.compactText)
    }

    /// Writes a changed return (state, times, refund).
    package func updateReturn(_ r: GoodsReturn) throws {
        try write("UPDATE returns SET state = ?, refund_key = ?, doc = ? WHERE number = ?",
                  r.state.rawValue, r.refundKey, r.stored.compactText, r.number)
        guard changes == 1 else { throw OrderError(.storage, "return \(r.number) vanished") }
    }

    /// One return by number.
    package func goodsReturn(_ number: Int64) throws -> GoodsReturn? {
        try row("SELECT doc FROM returns WHERE number = ?", [number]).flatMap { GoodsReturn(stored: JSON.stored($0[0])) }
    }

    /// The returns of an order, oldest first.
    package func returns(of order: Int64) throws -> [GoodsReturn] {
        try mapRows("SELECT doc FROM returns WHERE order_number = ? ORDER BY number", [order]) {
            GoodsReturn(stored: $0.storedJSON(0))
        }.compactMap { $0 }
    }

    /// The return whose refund was sent under effect group `key`.
    package func goodsReturn(refundKey key: String) throws -> GoodsReturn? {
        try row("SELECT doc FROM returns WHERE refund_key = ?", [key]).flatMap { GoodsReturn(stored: JSON.stored($0[0])) }
    }

    /// Returns matching `f` with a number above `after`, in number order, at most `limit`.
    package func findReturns(_ f: ReturnFilter, after: Int64?, limit: Int) throws -> [GoodsReturn] {
        var sql = "SELECT doc FROM returns WHERE number > ?"
        var args: [(any DatabaseValueConvertible)?] = [after ?? 0]
        if let o = f.order { sql += " AND order_number = ?"; args.append(o) }
        if let s = f.states, !s.isEmpty {
            sql += " AND state IN (\(Array(repeating: "?", count: s.count).joined(separator: ", ")))"
            args += s.map { $0.rawValue }
        }
        if let w = f.withdrawal { sql += " AND withdrawal = ?"; args.append(w) }
        if let t = f.createdFrom { sql += " AND created_at >= ?"; args.append(t.seconds) }
        if let t = f.createdTo { sql += " AND created_at < ?"; args.append(t.seconds) }
        if let t = f.deadlineBy { sql += " AND deadline IS NOT NULL AND deadline <= ?"; args.append(t.seconds) }
        sql += " ORDER BY number LIMIT ?"
        args.append(limit)
        return try mapRows(sql, StatementArguments(args)) { GoodsReturn(stored: $0.storedJSON(0)) }.compactMap { $0 }
    }
}
