import OrderCore
import OrderStorage
import PostgresClient

extension PostgresTransaction {
    /// Inserts a new return (its number already drawn).
    package func insertReturn(_ r: GoodsReturn) throws {
        try rows("""
            INSERT INTO returns (number, order_number, state, withdrawal, created_at, deadline, refund_key, doc)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.int(r.number), .int(r.order), .text(r.state.rawValue), .int(r.withdrawal ? 1 : 0), .int(r.createdAt.seconds),
                  Self.value(r.deadline?.seconds), Self.value(r.refundKey), .text(r.stored.compactText)])
    }

    /// Writes a changed return (state, refund key, document); `storage` if it vanished.
    package func updateReturn(_ r: GoodsReturn) throws {
        let changed = try rows("UPDATE returns SET state = $1, refund_key = $2, doc = $3 WHERE number = $4",
                               [.text(r.state.rawValue), Self.value(r.refundKey), .text(r.stored.compactText), .int(r.number)]).rowsAffected
        guard changed == 1 else { throw OrderError(.storage, "return \(r.number) vanished") }
    }

    /// One return by number, or nil.
    package func goodsReturn(_ number: Int64) throws -> GoodsReturn? {
        try returns(where: "number = $1", [.int(number)]).first
    }

    /// The returns of an order, oldest first.
    package func returns(of order: Int64) throws -> [GoodsReturn] {
        try returns(where: "order_number = $1", [.int(order)])
    }

    /// The return whose refund was sent under effect group `key`, or nil.
    package func goodsReturn(refundKey key: String) throws -> GoodsReturn? {
        try returns(where: "refund_key = $1", [.text(key)]).first
    }

    func returns(where clause: String, _ parameters: [PostgresValue]) throws -> [GoodsReturn] {
        try rows("SELECT doc FROM returns WHERE \(clause) ORDER BY number", parameters).compactMap { GoodsReturn(stored: Self.json(try $0.string(0))) }
    }
}
