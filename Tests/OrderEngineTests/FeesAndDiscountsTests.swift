import Foundation
import OrderCore
import OrderEngine
import Testing

/// Fees and discounts on `order.create` (issue 14): fee lines on invoices, the fee's VAT split
/// over the goods' rates, capture of the shipping fee with the first shipment handed over,
/// discounts spread over lines with VAT on what the customer pays, and `discount_code` search.
@Suite("Fees and discounts")
struct FeesAndDiscountsTests {
    static let seller: JSON = Shop.seller

    static func create(_ shop: Shop, lines: [JSON] = Shop.defaultLines, fees: [JSON] = [], discounts: [JSON] = []) throws -> JSON {
        guard case .object(var p) = Shop.orderParams(lines: lines) else { return .null }
        if !fees.isEmpty { p["fees"] = .array(fees) }
        if !discounts.isEmpty { p["discounts"] = .array(discounts) }
        return try shop.call("order.create", .object(p))
    }

    static let shipping: JSON = ["kind": "shipping", "name": "Fragt", "amount": 4_900]

    @Test("a fee without vat_rate is split over the goods' rates in proportion to their value")
    func feeSplit() throws {
        let shop = try Shop()
        let o = try Self.create(shop, lines: [Shop.line("BOOK", "Bog", qty: 1, price: 10_000, vat: 0),
                                              Shop.line("PEN", "Pen", qty: 1, price: 40_000)],
                                fees: [["kind": "shipping", "name": "Fragt", "amount": 5_000]])
        let lines = try #require(o["lines"]?.arrayValue)
        let fees = lines.filter { $0["fee"] != nil }
        #expect(fees.map { $0["sku"]?.stringValue ?? "" } == ["fee:shipping@0", "fee:shipping@2500"])
        #expect(fees.map { $0["total"]?.intValue ?? 0 } == [1_000, 4_000])
        #expect(o["total"]?.intValue == 55_000)
        #expect(o["total_vat"]?.intValue == Int64(8_800))
    }

    @Test("the shipping fee is captured and invoiced with the first shipment handed over, as its own line")
    func feeWithFirstShipment() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller])
        let n = try #require(Self.create(shop, fees: [Self.shipping])["order"]?.intValue)
        try shop.authorize(n)
        #expect(try shop.order(n)["total"]?.intValue == Int64(Shop.defaultTotal + 4_900))
        try shop.shipAndHandOver(n, [("MUG", 1)])
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Int64(14_800))
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        let kinds = inv["lines"]?.arrayValue?.map { $0["kind"]?.stringValue ?? "" }
        #expect(kinds == ["goods", "fee"])
        #expect(inv["lines"]?.arrayValue?.last?["fee"]?.stringValue == "shipping")
        // The second shipment carries no fee.
        try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == Int64(39_800))
        #expect(try shop.order(n)["captured"]?.intValue == Int64(Shop.defaultTotal + 4_900))
    }

    @Test("fee_capture last_shipment keeps the fee until the last goods are handed over; fees are never shipped")
    func feeWithLastShipment() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller, "fee_capture": "last_shipment"])
        let n = try #require(Self.create(shop, fees: [Self.shipping])["order"]?.intValue)
        try shop.authorize(n)
        try expectError(.invalid, "fee", field: "lines[0].sku") { try shop.ship(n, [("fee:shipping", 1)]) }
        try shop.shipAndHandOver(n, [("MUG", 1)])
        #expect(try shop.capture(n)["captured"]?.intValue == 9_900)
        try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == Int64(44_700))
        #expect(try shop.order(n)["fulfilment_state"]?.stringValue == "shipped")
    }

    @Test("a discount code is spread over the lines in proportion, VAT on what the customer pays; invoices show gross, discount and net")
    func discountSpread() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller])
        let o = try Self.create(shop, discounts: [["code": "VINTER10", "name": "Vinterrabat", "amount": 10_000]])
        let n = try #require(o["order"]?.intValue)
        let lines = try #require(o["lines"]?.arrayValue)
        // 10,000 over 39,800 and 9,900: 8,008 (rounded down) and the remainder 1,992 to the last line.
        #expect(lines.map { $0["discount"]?.intValue ?? -1 } == [8_008, 1_992])
        #expect(o["total"]?.intValue == Int64(Shop.defaultTotal - 10_000))
        #expect(o["total_vat"]?.intValue == VAT.contained(inGross: Shop.defaultTotal - 10_000, rate: 2500))
        try shop.authorize(n)
        try shop.shipAndHandOver(n, [("TSHIRT", 1)])
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == Int64(15_896))
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        let l = try #require(inv["lines"]?.arrayValue?.first)
        #expect(l["before_discount"]?.intValue == 19_900)
        #expect(l["discount"]?.intValue == 4_004)
        #expect(l["gross"]?.intValue == 15_896)
        try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == Int64(Shop.defaultTotal - 10_000 - 15_896))
        #expect(try shop.find(["discount_code": "vinter10"]) == [n])
        #expect(try shop.find(["discount_code": "SOMMER"]) == [])
    }

    @Test("percent discounts on named lines; a discount above the line value is refused, nothing stored")
    func percentAndRefusals() throws {
        let shop = try Shop()
        let o = try Self.create(shop, discounts: [["name": "Krus -50 %", "percent": 5_000, "lines": ["MUG"]]])
        #expect(o["lines"]?.arrayValue?.map { $0["discount"]?.intValue ?? 0 } == [0, 4_950])
        try expectRefused(shop, .invalid, "above the value", "MUG") {
            _ = try Self.create(shop, discounts: [["name": "Too much", "amount": 10_000, "lines": ["MUG"]]])
        }
        try expectRefused(shop, .invalid, "NOPE") {
            _ = try Self.create(shop, discounts: [["name": "x", "amount": 100, "lines": ["NOPE"]]])
        }
        try expectRefused(shop, .invalid, "amount or percent") { _ = try Self.create(shop, discounts: [["name": "x"]]) }
        try expectRefused(shop, .invalid, "reserved") {
            _ = try Self.create(shop, lines: [Shop.line("fee:x", "x", qty: 1, price: 100)])
        }
    }

    @Test("a full credit of a discounted invoice with a fee reverses exactly what was invoiced")
    func creditOfDiscountedInvoice() throws {
        let shop = try Shop()
        try shop.settings(["seller": Self.seller])
        let n = try #require(Self.create(shop, lines: [Shop.line("A", "A", qty: 3, price: 1_001)], fees: [Self.shipping],
                                         discounts: [["name": "R", "amount": 1_000]])["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        _ = try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "A", "qty": 1]], "reason": "retur"])
        let c = try shop.call("credit_note.create", ["order": .int(n), "reason": "rest"])
        _ = c
        let a = try shop.order(n)
        #expect(a["refunded"]?.intValue == a["captured"]?.intValue)
        #expect(a["captured"]?.intValue == Int64(3 * 1_001 - 1_000 + 4_900))
    }
}

/// B2B reverse charge (issue 14): a business in another EU country with its VAT number is
/// invoiced at 0 % with "Omvendt betalingspligt" / "Reverse charge" and both VAT numbers.
@Suite("Reverse charge")
struct ReverseChargeTests {
    static func business(vat: String?, country: String = "DE", language: String = "en") -> JSON {
        var c: JSONObject = ["name": "Klaus Weber", "email": "einkauf@kaffee.de", "language": .string(language), "company": "Kaffee GmbH",
                             "billing_address": ["street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": .string(country)]]
        if let vat { c["vat_number"] = .string(vat) }
        return .object(c)
    }

    @Test("the Peppol UBL of a German business buyer: endpoint under EAS 9930 (German VAT), its VAT number as tax scheme, nothing Danish")
    func foreignBuyerEndpoint() throws {
        let shop = try Shop()
        let n = try shop.createOrder(customer: Self.business(vat: "DE123456789"))
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        let number = try #require(try shop.capture(n)["invoice"]?.intValue)
        let r = try shop.call("invoice.render", ["number": .int(number), "format": "ubl"])
        let ubl = String(decoding: try DocumentRenderTests.decoded(r), as: UTF8.self)
        let customer = try #require(ubl.range(of: "<cac:AccountingCustomerParty>").map { String(ubl[$0.lowerBound...]) })
        #expect(customer.contains("<cbc:EndpointID schemeID=\"9930\">DE123456789</cbc:EndpointID>"))
        // 9930 is an EAS code, not an ISO 6523 ICD: no party identification under it (BR-CL-10).
        #expect(!customer.contains("<cbc:ID schemeID=\"9930\">"))
        #expect(customer.contains("<cbc:CompanyID>DE123456789</cbc:CompanyID>"))
        #expect(!customer.prefix(upTo: customer.range(of: "</cac:AccountingCustomerParty>")!.lowerBound).contains("0184"))
        // A Danish business keeps its CVR under 0184, now also as party identification.
        let m = try shop.createOrder(customer: Self.business(vat: "DK13585628", country: "DK"))
        try shop.authorize(m)
        try shop.shipAndHandOver(m)
        let dkNumber = try #require(try shop.capture(m)["invoice"]?.intValue)
        let dk = String(decoding: try DocumentRenderTests.decoded(try shop.call("invoice.render", ["number": .int(dkNumber), "format": "ubl"])), as: UTF8.self)
        #expect(dk.contains("<cac:PartyIdentification><cbc:ID schemeID=\"0184\">DK13585628</cbc:ID>")
            || dk.contains("<cbc:ID schemeID=\"0184\">DK13585628</cbc:ID>"))
        if let dir = ProcessInfo.processInfo.environment["OE_UBL_OUT"] {
            try Data(ubl.utf8).write(to: URL(fileURLWithPath: "\(dir)/de-b2b.xml"))
            try Data(dk.utf8).write(to: URL(fileURLWithPath: "\(dir)/dk-b2b.xml"))
        }
    }

    @Test("a German business with a VAT number is invoiced at 0 % with the reverse-charge note and both VAT numbers")
    func reverseCharge() throws {
        let shop = try Shop()
        try shop.settings(["seller": Shop.seller])
        guard case .object(var p) = Shop.orderParams(customer: Self.business(vat: "de 123456789")) else { return }
        p["fees"] = [["kind": "shipping", "name": "Freight", "amount": 9_900]]
        let o = try shop.call("order.create", .object(p))
        #expect(o["reverse_charge"]?.boolValue == true)
        #expect(o["total_vat"]?.intValue == 0)
        let n = try #require(o["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        let c = try shop.capture(n)
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        #expect(inv["vat_note"]?.stringValue == "Reverse charge")
        #expect(inv["vat_treatment"]?.stringValue == "reverse_charge")
        #expect(inv["buyer"]?["vat_number"]?.stringValue == "DE123456789")
        #expect(inv["seller"]?["vat_number"]?.stringValue == "DK13585628")
        #expect(inv["total_vat"]?.intValue == 0)
    }

    @Test("reverse charge without a VAT number, or a malformed one, is refused naming the field; nothing stored")
    func refusals() throws {
        let shop = try Shop()
        guard case .object(var p) = Shop.orderParams(customer: Self.business(vat: nil)) else { return }
        p["reverse_charge"] = true
        try expectRefused(shop, .invalid, "VAT number") { _ = try shop.call("order.create", .object(p)) }
        try expectRefused(shop, .invalid, "prefix") {
            _ = try shop.call("order.create", Shop.orderParams(customer: Self.business(vat: "XX123")))
        }
        // A Danish business pays Danish VAT.
        let dk = try shop.call("order.create", Shop.orderParams(customer: Self.business(vat: "DK13585628", country: "DK")))
        #expect(dk["reverse_charge"]?.boolValue == false)
        #expect((dk["total_vat"]?.intValue ?? 0) > 0)
    }
}
