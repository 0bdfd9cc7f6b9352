import Testing
@testable import OrderCore

@Suite("Customer, address, delivery and order values")
struct CustomerAndOrderTests {
    typealias F = Fixture

    @Test("e-mail check accepts ordinary addresses", arguments: ["a@b.dk", "mette.hansen+ordre@example.co.uk", "x@sub.domain.com", "æ@ø.dk"])
    func goodEmails(email: String) {
        #expect(Customer.looksLikeEmail(email))
    }

    @Test("e-mail check refuses malformed addresses", arguments: [
        "", "a", "a@", "@b.dk", "a@b", "a@@b.dk", "a@b@c.dk", "a@.dk", "a@b.", "a b@c.dk", "a@b .dk", "a@b.dk ", "\ta@b.dk",
    ])
    func badEmails(email: String) {
        #expect(!Customer.looksLikeEmail(email))
    }

    @Test("customer and address JSON use the input keys, in a stable order")
    func customerJSON() throws {
        let p = try ParamReader(try JSONParser.parse(#"{"name":"Jens","email":"j@e.dk","billing_address":{"street":"Vestergade 1","postal_code":"8000","city":"Aarhus C"}}"#))
        let c = try Customer(p)
        #expect(c.json.objectValue?.keys == ["name", "email", "language", "billing_address"])
        #expect(c.json["billing_address"]?.objectValue?.keys == ["street", "postal_code", "city", "country"])
        #expect(c.billingAddress?.singleLine == "Vestergade 1, 8000 Aarhus C, DK")
        // The JSON form reads back to the same customer.
        #expect(try Customer(try ParamReader(c.json)) == c)
    }

    @Test("delivery JSON and restoring from stored JSON")
    func deliveryJSON() {
        #expect(Delivery.shipping(carrier: nil).json == ["method": "shipping"])
        #expect(Delivery.shipping(carrier: "gls").json == ["method": "shipping", "carrier": "gls"])
        #expect(Delivery.pickup(location: "Shop").json == ["method": "pickup", "location": "Shop"])
        for d in [Delivery.shipping(carrier: nil), .shipping(carrier: "gls"), .pickup(location: "Shop")] {
            #expect(Delivery(stored: d.json) == d)
        }
        #expect(Delivery(stored: .null) == .shipping(carrier: nil))
        #expect(Delivery.pickup(location: "Shop").method == "pickup")
    }

    @Test("order totals, line lookup and line JSON")
    func order() {
        let o = F.order(F.furniture)
        #expect(o.total == F.furnitureTotal)
        #expect(o.line("LAMP")?.qty == 3)
        #expect(o.line("lamp") == nil)
        #expect(o.line("LAMP")?.value(of: 2) == 6_000)
        #expect(o.updatedAt == o.createdAt)
        #expect(o.version == 1)
        #expect(o.notify)
        let j = F.furniture[3].json
        #expect(j.objectValue?.keys == ["sku", "name", "qty", "unit_price", "vat_rate", "prepayable", "total"])
        #expect(j["prepayable"] == .bool(true))
        #expect(j["total"] == .int(5_990))
    }

    @Test("order.get JSON starts with the order number and carries the derived states and totals")
    func aggregateJSON() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 25_990, on: 1)],
                            shipments: F.furnitureShipments)
        let j = a.json(now: F.t0, statusLabel: "Ikke behandlet")
        let keys = j.objectValue?.keys ?? []
        #expect(keys.first == "order")
        #expect(keys.prefix(4) == ["order", "reference", "status", "status_label"])
        #expect(j["payment_state"] == "partially_captured")
        #expect(j["fulfilment_state"] == "partially_shipped")
        #expect(j["total"] == .int(F.furnitureTotal))
        #expect(j["total_vat"]?.intValue.map { $0 + (j["total_net"]?.intValue ?? 0) } == F.furnitureTotal)
        #expect(j["authorized"] == .int(F.furnitureTotal))
        #expect(j["captured"] == .int(25_990))
        #expect(j["authorization_expires_at"] == "2026-12-05T10:00:00Z")
        #expect(j["notify"] == true)
        #expect(j["lines"]?.arrayValue?.count == 4)
        #expect(j["shipments"]?.arrayValue?.count == 2)
        // Without a label the key is absent; expiry at a later time changes the state.
        let later = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal)]).json(now: F.t0.adding(days: 8))
        #expect(later["status_label"] == nil)
        #expect(later["payment_state"] == "expired")
        #expect(F.aggregate(F.furniture).json(now: F.t0)["payment_state"] == "none")
        #expect(F.aggregate(F.furniture).json(now: F.t0).objectValue?.keys.first == "order")
    }

    @Test("number series keys and formatting")
    func numberSeries() {
        #expect(NumberSeries.allCases.map(\.startKey) == ["order_number_start", "invoice_number_start", "credit_note_number_start", "return_number_start"])
        #expect(NumberSeries.goodsReturn.prefixKey == "return_number_prefix")
        #expect(NumberSeries.invoice.prefixKey == "invoice_number_prefix")
        #expect(NumberSeries.order.defaultStart == 1)
        #expect(NumberSeries.format(1001, prefix: "WEB-") == "WEB-1001")
        #expect(NumberSeries.format(7, prefix: "") == "7")
    }
}
