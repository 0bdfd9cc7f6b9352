import GRDB
import OrderCore
import OrderEngine
import Testing

/// `partially_authorized` (issue 14): an authorised order whose total grew is stored in that
/// payment state, so `order.find` selects it and `payment.check` lists what is left to authorise.
@Suite("Partially authorised orders")
struct PartiallyAuthorizedTests {
    /// A paid default order edited up by a 299.00 kr. press pot.
    private func grownOrder(_ shop: Shop) throws -> Int64 {
        let n = try shop.paidOrder()
        _ = try shop.call("order.edit", ["order": .int(n), "add_lines": [Shop.line("PRESS", "Presskande", qty: 1, price: 29_900)],
                                         "reason": "Tilføjet presskande"])
        return n
    }

    @Test("order.find and order.get show partially_authorized with left_to_authorize; authorising the difference makes it authorized")
    func storedAndFound() throws {
        let shop = try Shop()
        let n = try grownOrder(shop)
        let other = try shop.paidOrder()
        #expect(try shop.find(["payment_state": "partially_authorized"]) == [n])
        #expect(try shop.find(["payment_state": "authorized"]) == [other])
        #expect(try shop.call("order.count", ["payment_state": "partially_authorized"])["count"]?.intValue == 1)
        let o = try shop.order(n)
        #expect(o["payment_state"]?.stringValue == "partially_authorized")
        #expect(o["left_to_authorize"]?.intValue == 29_900)
        #expect(try shop.order(other)["left_to_authorize"]?.intValue == 0)

        _ = try shop.authorize(n, amount: 29_900)
        #expect(try shop.find(["payment_state": "partially_authorized"]).isEmpty)
        #expect(try shop.find(["payment_state": "authorized"]) == [n, other])
        #expect(try shop.order(n)["left_to_authorize"]?.intValue == 0)
    }

    @Test("payment.check lists the order with what is left to authorise, and no longer once it is authorised")
    func paymentCheck() throws {
        let shop = try Shop()
        let n = try grownOrder(shop)
        _ = try shop.paidOrder()
        let c = try shop.call("payment.check", [:])
        #expect(c["to_authorize"]?.intValue == 1)
        let row = try #require(c["partially_authorized"]?.arrayValue?.first)
        #expect(row["order"]?.intValue == n)
        #expect(row["total"]?.intValue == Shop.defaultTotal + 29_900)
        #expect(row["authorized"]?.intValue == Shop.defaultTotal)
        #expect(row["left_to_authorize"]?.intValue == 29_900)
        #expect(row["message"]?.stringValue?.contains("left to authorise") == true)
        _ = try shop.authorize(n, amount: 29_900)
        let after = try shop.call("payment.check", [:])
        #expect(after["to_authorize"]?.intValue == 0)
        #expect(after["partially_authorized"]?.arrayValue?.isEmpty == true)
    }

    @Test("once its authorisation ran out the order reads expired, not partially_authorized, in order.find and order.get")
    func expires() throws {
        let shop = try Shop()
        let n = try grownOrder(shop)
        shop.clock.advance(days: 8)
        #expect(try shop.order(n)["payment_state"]?.stringValue == "expired")
        #expect(try shop.find(["payment_state": "expired"]) == [n])
        #expect(try shop.find(["payment_state": "partially_authorized"]).isEmpty)
        #expect(try shop.call("order.find", ["payment_state": "expired"])["orders"]?.arrayValue?.first?["payment_state"]?.stringValue == "expired")
    }

    @Test("a payment state that does not exist is refused naming payment_state and listing partially_authorized")
    func badState() throws {
        let shop = try Shop()
        try expectRefused(shop, .invalid, "payment_state", "partially_authorized") {
            _ = try shop.call("order.find", ["payment_state": "partly_authorized"])
        }
    }

    @Test("the capture of a shipped partially authorised order takes whole lines within what the authorisation holds")
    func capturePartially() throws {
        let shop = try Shop()
        _ = try shop.settings(["seller": Shop.seller])
        let n = try grownOrder(shop)
        _ = try shop.shipAndHandOver(n)
        let c = try shop.capture(n)
        let captured = try #require(c["captured"]?.intValue)
        #expect(captured > 0 && captured <= Shop.defaultTotal)
        #expect(c["payment_state"]?.stringValue == "partially_captured")
        let o = try shop.order(n)
        #expect(o["money_difference"]?.intValue == 0)
        #expect(o["left_to_authorize"]?.intValue == 29_900, "the grown part is still to authorise")
    }

    @Test("migration v9-eu-vat gives an order edited upwards before it (stored as authorized) partially_authorized",
          .enabled(if: TestDatabase.isSQLite, "an SQLite migration on an SQLite file"))
    func migration() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("shop.sqlite")
        let n = try grownOrder(try Shop(path: path))
        // As a database written before this version stored it, with v9 not applied yet.
        let db = try DatabaseQueue(path: path)
        try db.write { d in
            try d.execute(sql: "UPDATE orders SET payment_state = 'authorized' WHERE number = ?", arguments: [n])
            try d.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-eu-vat'")
        }
        try db.close()
        let reopened = try Shop(path: path)
        #expect(try reopened.find(["payment_state": "partially_authorized"]) == [n])
        #expect(try reopened.find(["payment_state": "authorized"]).isEmpty)
    }
}
