import OrderCore
import OrderEngine
import Testing

/// Retrying a void or a refund with the same idempotency key returns the first outcome and
/// never asks the gateway twice (as captures do).
@Suite struct ReplayTests {
    @Test func aRetriedVoidReplaysItsResult() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let first = try shop.call("payment.void", ["order": .int(n), "idempotency_key": "void-1"])
        let again = try shop.call("payment.void", ["order": .int(n), "idempotency_key": "void-1"])
        #expect(first == again)
        #expect(try shop.order(n)["voided"] == .int(Shop.defaultTotal))
        #expect(shop.gateway.approvedTotal(order: n, operation: .void) == Shop.defaultTotal)
    }

    @Test func aRetriedRefundIssuesOneCreditNote() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        let params: JSON = ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "retur", "idempotency_key": "ref-1"]
        let first = try shop.call("credit_note.create", params)
        let again = try shop.call("credit_note.create", params)
        #expect(first == again)
        #expect(try shop.order(n)["refunded"] == 9_900)
        #expect(try shop.call("invoice.find", ["kind": "credit_note"])["documents"]?.arrayValue?.count == 1)
        #expect(shop.gateway.approvedTotal(order: n, operation: .refund) == 9_900)
    }

    @Test func aKeyOfAnotherKindIsAConflict() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.call("payment.void", ["order": .int(n), "idempotency_key": "k-1"])
        #expect {
            try shop.call("payment.capture", ["order": .int(n), "idempotency_key": "k-1"])
        } throws: { ($0 as? OrderError)?.code == .conflict }
    }
}
