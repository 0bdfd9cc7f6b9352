import OrderCore
import OrderEngine
import Testing

/// Invoices and credit notes with every field momsbekendtgørelsen § 58 asks for, issued by
/// capture or explicitly; credit notes refund through the gateway.
@Suite("Invoices and credit notes")
struct InvoiceTests {
    static let seller: JSON = ["name": "Butik ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]

    /// A shop with its seller set, and order 1 handed over and captured (invoice 1).
    static func invoicedShop(lines: [JSON] = Shop.defaultLines) throws -> (Shop, Int64) {
        let shop = try Shop()
        try shop.settings(["seller": seller])
        let n = try shop.paidOrder(lines: lines)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        return (shop, n)
    }

    /// Checks the § 58 fields every invoice and credit note carries.
    static func expectSection58(_ d: JSON, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d["issue_date"]?.stringValue?.count == 10, sourceLocation: sourceLocation)
        #expect((d["number"]?.intValue ?? 0) > 0, sourceLocation: sourceLocation)
        #expect(d["seller"]?["name"]?.stringValue == "Butik ApS", sourceLocation: sourceLocation)
        #expect(d["seller"]?["address"]?.stringValue == "Vestergade 1, 8000 Aarhus C", sourceLocation: sourceLocation)
        #expect(d["seller"]?["vat_number"]?.stringValue == "DK13585628", sourceLocation: sourceLocation)
        #expect(d["buyer"]?["name"]?.stringValue == "Mette Hansen", sourceLocation: sourceLocation)
        #expect(d["buyer"]?["address"]?.stringValue == "Vestergade 1, 8000 Aarhus C, DK", sourceLocation: sourceLocation)
        let lines = d["lines"]?.arrayValue ?? []
        #expect(!lines.isEmpty, sourceLocation: sourceLocation)
        for l in lines {
            for key in ["qty", "name", "net", "vat_rate", "vat", "unit_price_excl_vat", "gross"] {
                #expect(l[key] != nil && l[key] != .null, "line field \(key)", sourceLocation: sourceLocation)
            }
            #expect(l["net"]?.intValue.map { $0 + (l["vat"]?.intValue ?? 0) } == l["gross"]?.intValue, sourceLocation: sourceLocation)
        }
        #expect(d["vat"]?.arrayValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect((d["total_net"]?.intValue ?? 0) + (d["total_vat"]?.intValue ?? 0) == d["total"]?.intValue, sourceLocation: sourceLocation)
    }

    @Test("capture issues an invoice with every § 58 field")
    func invoiceFields() throws {
        let (shop, n) = try Self.invoicedShop()
        let inv = try shop.call("invoice.get", ["number": 1])
        Self.expectSection58(inv)
        #expect(inv["kind"]?.stringValue == "invoice")
        #expect(inv["number"]?.intValue == 1)
        #expect(inv["reference"]?.stringValue == "1")
        #expect(inv["order"]?.intValue == n)
        #expect(inv["issue_date"]?.stringValue == "2026-11-23")
        #expect(inv["delivery_date"] == nil)  // handed over the same day
        #expect(inv["currency"]?.stringValue == "DKK")
        let shirt = try #require(inv["lines"]?[0])
        #expect(shirt["sku"]?.stringValue == "TSHIRT")
        #expect(shirt["name"]?.stringValue == "T-shirt")
        #expect(shirt["qty"]?.intValue == 2)
        #expect(shirt["unit_price"]?.intValue == 19_900)
        #expect(shirt["unit_price_excl_vat"]?.intValue == 15_920)
        #expect(shirt["vat_rate"]?.intValue == 2500)
        #expect(shirt["net"]?.intValue == 31_840)
        #expect(shirt["vat"]?.intValue == 7_960)
        #expect(inv["vat"] == [["rate": 2500, "net": 39_760, "vat": 9_940, "gross": 49_700]])
        #expect(inv["total"]?.intValue == Shop.defaultTotal)
        #expect(inv["total_vat"]?.intValue == 9_940)

        let summary = try #require(shop.order(n)["invoices"]?[0])
        #expect(summary["number"]?.intValue == 1)
        #expect(summary["total"]?.intValue == Shop.defaultTotal)
        #expect(try shop.timeline(n).named("invoice.created").count == 1)
    }

    @Test("VAT is stated per rate; zero-rated lines get their own row")
    func mixedRates() throws {
        let (shop, _) = try Self.invoicedShop(lines: [
            Shop.line("BOOK", "Bog", qty: 1, price: 40_000),
            Shop.line("NEWS", "Avis", qty: 2, price: 5_000, vat: 0),
        ])
        let inv = try shop.call("invoice.get", ["number": 1])
        #expect(inv["vat"] == [["rate": 0, "net": 10_000, "vat": 0, "gross": 10_000],
                               ["rate": 2500, "net": 32_000, "vat": 8_000, "gross": 40_000]])
        #expect(inv["total"]?.intValue == 50_000)
        #expect(inv["total_vat"]?.intValue == 8_000)
    }

    @Test("the delivery date is stated when the goods left on another day than the invoice")
    func deliveryDate() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        shop.clock.advance(days: 2)
        let c = try shop.capture(n)
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        #expect(inv["issue_date"]?.stringValue == "2026-11-25")
        #expect(inv["delivery_date"]?.stringValue == "2026-11-23")
    }

    @Test("without a seller no invoice is issued: the capture is refused before money moves, naming the seller fields")
    func sellerUnset() throws {
        let shop = try Shop(seller: false)
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        try expectRefused(shop, .policy, "no invoice for order \(n) until the seller is set", "seller.name", "seller.address", "seller.vat_number") {
            try shop.capture(n)
        }
        #expect(shop.gateway.approvedCount == 0)
        try expectRefused(shop, .policy, "seller.vat_number") { try shop.call("invoice.create", ["order": .int(n)]) }
        try shop.settings(["seller": Shop.seller])
        #expect(try shop.capture(n)["invoice"]?.intValue == 1)
        #expect(try shop.call("invoice.get", ["number": 1])["seller"]?["vat_number"]?.stringValue == "DK13585628")
    }

    @Test("the seller's VAT number is a CVR with the modulus-11 check or an EU VAT number with its prefix")
    func sellerVATNumber() throws {
        let shop = try Shop(seller: false)
        for bad in ["not-a-cvr", "12345678", "DK12345678", "1358562", "US123456789", "DE1", "DK 1358 5629"] {
            try expectRefused(shop, .invalid, "seller.vat_number") {
                try shop.settings(["seller": ["name": "Butik ApS", "address": "Vestergade 1", "vat_number": .string(bad)]])
            }
        }
        try expectRefused(shop, .invalid, "seller.name") {
            try shop.settings(["seller": ["name": "  ", "address": "Vestergade 1", "vat_number": "DK13585628"]])
        }
        // Written with spaces or without the prefix, it is stored as DK + 8 digits.
        let s = try shop.settings(["seller": ["name": "Butik ApS", "address": "Vestergade 1", "vat_number": "1358 5628"]])
        #expect(s["seller"]?["vat_number"]?.stringValue == "DK13585628")
        let de = try shop.settings(["seller": ["name": "Laden GmbH", "address": "Hauptstr. 1, Flensburg", "vat_number": "de 123456789"]])
        #expect(de["seller"]?["vat_number"]?.stringValue == "DE123456789")
    }

    @Test("below 3,000 kr. a simplified invoice without the buyer's address says so; from 3,000 kr. the buyer's name and address are required")
    func simplifiedAndFull() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime"])
        let noAddress = Shop.customer(address: false)
        let small = try shop.paidOrder(customer: noAddress)
        let c = try shop.capture(small)
        let inv = try shop.call("invoice.get", ["number": c["invoice"] ?? 0])
        #expect(inv["form"]?.stringValue == "simplified")
        #expect(inv["buyer"]?["address"] == .null)
        // 3,000.00 kr. exactly needs a full invoice: refused before any money moves.
        let big = try shop.paidOrder(customer: noAddress, lines: [Shop.line("SOFA", "Sofa", qty: 1, price: 300_000)])
        try expectRefused(shop, .policy, "full invoice", "3000.00 DKK", "§ 58", "customer.billing_address") { try shop.capture(big) }
        #expect(shop.gateway.approvedTotal(order: big, operation: .capture) == 0)
        // With an address the invoice is full at any size.
        let full = try shop.paidOrder(lines: [Shop.line("SOFA", "Sofa", qty: 1, price: 300_000)])
        let f = try shop.capture(full)
        #expect(try shop.call("invoice.get", ["number": f["invoice"] ?? 0])["form"]?.stringValue == "full")
        // A credit note takes its invoice's form.
        let cn = try shop.call("credit_note.create", ["order": .int(small), "reason": "retur"])
        #expect(cn["document"]?["form"]?.stringValue == "simplified")
    }

    @Test("invoice_on_capture off: invoice.create invoices the captured goods later")
    func explicitInvoice() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller, "invoice_on_capture": false])
        let n = try shop.paidOrder()
        try expectRefused(shop, .conflict, "no captured goods") { try shop.call("invoice.create", ["order": .int(n)]) }
        try shop.shipAndHandOver(n)
        let c = try shop.capture(n)
        #expect(c["invoice"] == .null)
        let inv = try shop.call("invoice.create", ["order": .int(n)])
        Self.expectSection58(inv)
        #expect(inv["total"]?.intValue == Shop.defaultTotal)
        try expectRefused(shop, .conflict, "no captured goods") { try shop.call("invoice.create", ["order": .int(n)]) }
    }

    @Test("invoice.create with lines refuses more than was ordered")
    func explicitLines() throws {
        let shop = try Shop()
        try shop.settings(["invoice_on_capture": false, "capture_policy": "anytime"])
        let n = try shop.paidOrder()
        // Nothing captured yet: an invoice covers captured money only.
        try expectRefused(shop, .policy, "lines: the lines are worth 199.00 DKK", "only 0.00 DKK", "captured and not yet invoiced") {
            try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 1]]])
        }
        try shop.capture(n)
        let inv = try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 1]]])
        #expect(inv["total"]?.intValue == 19_900)
        try expectRefused(shop, .conflict, "lines[0].qty", "only 1 of sku 'TSHIRT'") {
            try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2]]])
        }
        try expectRefused(shop, .invalid, "lines[0].sku", "'SOCKS'") {
            try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "SOCKS", "qty": 1]]])
        }
    }

    @Test("a credit note for lines refunds through the gateway and carries the § 58 fields and its invoice")
    func creditLines() throws {
        let (shop, n) = try Self.invoicedShop()
        let r = try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 1]], "reason": "defekt"])
        #expect(r["credit_note"]?.intValue == 1)
        #expect(r["credits_invoice"]?.intValue == 1)
        #expect(r["total"]?.intValue == 19_900)
        #expect(r["refunded"]?.intValue == 19_900)
        #expect(r["payment_state"]?.stringValue == "partially_refunded")
        #expect(shop.gateway.approvedTotal(order: n, operation: .refund) == 19_900)

        let cn = try shop.call("invoice.get", ["kind": "credit_note", "number": 1])
        Self.expectSection58(cn)
        #expect(cn["kind"]?.stringValue == "credit_note")
        #expect(cn["credits_invoice"]?.intValue == 1)
        #expect(cn["reason"]?.stringValue == "defekt")
        #expect(cn["refunded"]?.intValue == 19_900)
        #expect(cn["lines"]?[0]?["qty"]?.intValue == 1)
        #expect(cn["lines"]?[0]?["vat"]?.intValue == 3_980)

        let o = try shop.order(n)
        #expect(o["refunded"]?.intValue == 19_900)
        #expect(o["payment_state"]?.stringValue == "partially_refunded")
        #expect(try shop.timeline(n).named("credit_note.created").count == 1)
        #expect(try shop.timeline(n).named("payment.refunded").first?["amount"]?.intValue == 19_900)

        try expectRefused(shop, .conflict, "lines[0].qty", "1 of sku 'TSHIRT' left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2]], "reason": "x"])
        }
        // The rest, with no lines named.
        let rest = try shop.call("credit_note.create", ["order": .int(n), "reason": "retur"])
        #expect(rest["total"]?.intValue == 29_800)
        #expect(rest["payment_state"]?.stringValue == "refunded")
        try expectRefused(shop, .conflict, "fully credited") {
            try shop.call("credit_note.create", ["order": .int(n), "reason": "igen"])
        }
    }

    @Test("a credit note for an amount is split over the invoice's VAT rates")
    func creditAmount() throws {
        let (shop, n) = try Self.invoicedShop(lines: [
            Shop.line("BOOK", "Bog", qty: 1, price: 40_000),
            Shop.line("NEWS", "Avis", qty: 2, price: 5_000, vat: 0),
        ])
        let r = try shop.call("credit_note.create", ["order": .int(n), "amount": 5_000, "reason": "kompensation"])
        let doc = try #require(r["document"])
        #expect(doc["lines"]?.count == 2)
        #expect(doc["lines"]?[0]?["sku"]?.stringValue == "credit:0")
        #expect(doc["lines"]?[0]?["gross"]?.intValue == 1_000)
        #expect(doc["lines"]?[1]?["sku"]?.stringValue == "credit:2500")
        #expect(doc["lines"]?[1]?["name"]?.stringValue == "Kreditering (25 % moms)")
        #expect(doc["lines"]?[1]?["gross"]?.intValue == 4_000)
        #expect(doc["total_vat"]?.intValue == 800)
        try expectRefused(shop, .conflict, "amount:", "450.00 DKK left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "amount": 45_001, "reason": "for meget"])
        }
        try expectRefused(shop, .invalid, "amount", "not both") {
            try shop.call("credit_note.create", ["order": .int(n), "amount": 1, "lines": [["sku": "BOOK", "qty": 1]], "reason": "x"])
        }
    }

    @Test("credits against one invoice never add up to more than the invoice")
    func creditsBoundedByInvoice() throws {
        let (shop, n) = try Self.invoicedShop()
        try shop.call("credit_note.create", ["order": .int(n), "amount": 40_000, "reason": "kompensation"])
        // 97.00 DKK of the invoice is left to credit: two T-shirts (398.00 DKK) are too much…
        try expectRefused(shop, .conflict, "97.00 DKK left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2]], "reason": "retur", "refund": false])
        }
        // …the mug (99.00 DKK) too, by 2 øre; 97.00 DKK by amount is fine.
        try expectRefused(shop, .conflict, "left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "retur", "refund": false])
        }
        let r = try shop.call("credit_note.create", ["order": .int(n), "amount": 9_700, "reason": "rest"])
        #expect(r["payment_state"]?.stringValue == "refunded")
    }

    @Test("a declined refund issues no credit note and uses no number")
    func refundDeclined() throws {
        let (shop, n) = try Self.invoicedShop()
        try shop.simulate(n, "refund", "decline")
        expectError(.port, "refund of 497.00 DKK on order \(n) failed", "no credit note was issued") {
            try shop.call("credit_note.create", ["order": .int(n), "reason": "retur"])
        }
        #expect(try shop.call("invoice.find", ["kind": "credit_note"])["documents"]?.count == 0)
        #expect(try shop.order(n)["refunded"]?.intValue == 0)
        try shop.simulate(n, "refund", "approve")
        let r = try shop.call("credit_note.create", ["order": .int(n), "reason": "retur"])
        #expect(r["credit_note"]?.intValue == 1)
    }

    @Test("refund: false credits without paying back; refunds are bounded by what was captured")
    func creditWithoutRefund() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller, "invoice_on_capture": false, "capture_policy": "anytime"])
        let n = try shop.paidOrder()
        try shop.capture(n)
        try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2], ["sku": "MUG", "qty": 1]]])
        let r = try shop.call("credit_note.create", ["order": .int(n), "reason": "fejl", "refund": false])
        #expect(r["refunded"]?.intValue == 0)
        #expect(r["total"]?.intValue == Shop.defaultTotal)
        #expect(shop.gateway.approvedTotal(order: n, operation: .refund) == 0)
        Self.expectSection58(try #require(r["document"]))
    }

    @Test("credit notes need an invoice; a named invoice must belong to the order")
    func creditNeedsInvoice() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        try expectRefused(shop, .conflict, "no invoice to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "reason": "x"])
        }
        try expectRefused(shop, .notFound, "no invoice number 7") {
            try shop.call("credit_note.create", ["order": .int(n), "invoice": 7, "reason": "x"])
        }
        try expectRefused(shop, .invalid, "reason", "is required") {
            try shop.call("credit_note.create", ["order": .int(n)])
        }
    }
}
