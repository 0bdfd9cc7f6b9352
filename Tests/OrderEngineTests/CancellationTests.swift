import OrderCore
import OrderEngine
import Testing

/// There is one way to cancel: `order.set_status` to `cancelled` behaves as `order.cancel`.
@Suite struct CancellationTests {
    @Test func settingCancelledVoidsTheAuthorisation() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let r = try shop.setStatus(n, "cancelled")
        #expect(r["voiding"] == .int(Shop.defaultTotal))
        let o = try shop.order(n)
        #expect(o["status"] == "cancelled")
        #expect(o["payment_state"] == "voided")
    }

    @Test func settingCancelledIsRefusedAfterCaptureAndStoresNothing() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        let before = try shop.checksum()
        #expect { try shop.setStatus(n, "cancelled") } throws: { ($0 as? OrderError)?.code == .policy }
        #expect(try shop.checksum() == before)
    }

    @Test func aCancelledOrdersShipmentCannotBeHandedOver() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        let s = try shop.ship(n)
        try shop.call("order.cancel", ["order": .int(n)])
        #expect { try shop.handOver(s) } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .policy && e.message.contains("cancelled")
        }
    }

    @Test func invoicePagingNeedsAKind() throws {
        let shop = try Shop()
        #expect { try shop.call("invoice.find", ["after": 5]) } throws: { ($0 as? OrderError)?.code == .invalid }
        #expect(try shop.call("invoice.find", ["kind": "invoice", "after": 5])["next"] == .null)
    }
}
