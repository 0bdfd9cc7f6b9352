import Foundation
import OrderCore
import OrderEngine
import Testing

/// On-account (aconto) invoices (issue 13): with `capture.on_account`, a capture that is not the
/// value of whole released units issues an on-account invoice with VAT split over the order's
/// rates; the final invoice lists the goods and deducts it by number; credits follow the per-rate
/// rule; captured − refunded = invoiced − credited after every step.
@Suite("On-account invoices")
struct OnAccountInvoiceTests {
    /// A made-to-order sofa (10,000.00 kr., 25 %, prepayable) and a book (200.00 kr., 0 %).
    static let lines: [JSON] = [Shop.line("SOFA", "Sofa efter mål", qty: 1, price: 1_000_000, prepayable: true),
                                Shop.line("BOOK", "Plejebog", qty: 1, price: 20_000, vat: 0)]

    static func document(_ shop: Shop, _ number: Int64, kind: String = "invoice") throws -> JSON {
        try shop.call("invoice.get", ["kind": .string(kind), "number": .int(number)])
    }

    static func vat(_ doc: JSON, _ rate: Int64) -> (net: Int64, vat: Int64, gross: Int64)? {
        guard let r = doc["vat"]?.arrayValue?.first(where: { $0["rate"]?.intValue == rate }) else { return nil }
        return (r["net"]?.intValue ?? 0, r["vat"]?.intValue ?? 0, r["gross"]?.intValue ?? 0)
    }

    /// captured − refunded = invoiced − credited, and per rate credited ≤ invoiced over the order.
    static func expectInvariant(_ shop: Shop, _ n: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let o = try shop.order(n)
        #expect(o["money_difference"]?.intValue == 0, "money_difference \(o["money_difference"] ?? .null)", sourceLocation: sourceLocation)
        let docs = try MoneyInvariantPropertyTests.documents(shop, n)
        #expect(MoneyInvariantPropertyTests.perRateProblems(docs, order: n, after: "").isEmpty,
                "\(MoneyInvariantPropertyTests.perRateProblems(docs, order: n, after: ""))", sourceLocation: sourceLocation)
    }

    @Test("without capture.on_account a deposit is refused, naming the setting; nothing is stored")
    func refusedWithoutSetting() throws {
        let shop = try Shop()
        let n = try shop.createOrder(lines: Self.lines)
        try shop.authorize(n)
        #expect(try shop.call("settings.get")["capture"]?["on_account"]?.boolValue == false)
        try expectRefused(shop, .policy, "not the value of whole goods", "\"on_account\": true") {
            try shop.capture(n, amount: 300_000)
        }
        try expectRefused(shop, .invalid, "capture.on_account") { try shop.settings(["capture": ["on_account": "yes"]]) }
        try expectRefused(shop, .invalid, "capture.deposit") { try shop.settings(["capture": ["deposit": true]]) }
    }

    @Test("a deposit on made-to-order goods issues an on-account invoice; the final invoice deducts it by number")
    func depositThenFinalInvoice() throws {
        let shop = try Shop()
        try shop.settings(["capture": ["on_account": true]])
        let n = try shop.createOrder(lines: Self.lines)
        try shop.authorize(n)
        // Before anything left the house only the prepayable sofa is released: 3,000 kr. on account.
        let c = try shop.capture(n, amount: 300_000)
        let aconto = try #require(c["invoice"]?.intValue)
        let a = try Self.document(shop, aconto)
        #expect(a["on_account"]?.boolValue == true && a["total"]?.intValue == 300_000)
        // Split over the not-yet-invoiced value per rate: 10,000 at 25 %, 200 at 0 %.
        #expect(a["lines"]?.arrayValue?.map { $0["kind"]?.stringValue ?? "" } == ["on_account", "on_account"])
        #expect(Self.vat(a, 2500)?.gross == 294_118 && Self.vat(a, 2500)?.vat == 58_824)
        #expect(Self.vat(a, 0)?.gross == 5_882 && Self.vat(a, 0)?.vat == 0)
        #expect(a["lines"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } == ["Acontobeløb (0 % moms)", "Acontobeløb (25 % moms)"])
        try Self.expectInvariant(shop, n)
        // More than the policy releases is still refused (the Danish capture rule holds).
        try expectRefused(shop, .policy, "refused by capture policy on_hand_over", "7000.00 DKK") { try shop.capture(n, amount: 700_001) }

        // Everything handed over: the capture takes the rest; the final invoice lists the goods
        // and deducts the on-account invoice per rate, with the VAT it charged.
        _ = try shop.shipAndHandOver(n)
        let f = try shop.capture(n)
        #expect(f["captured"]?.intValue == 720_000)
        let final = try Self.document(shop, try #require(f["invoice"]?.intValue))
        #expect(final["on_account"] == nil)
        #expect(final["lines_total"]?.intValue == 1_020_000 && final["total"]?.intValue == 720_000)
        let deductions = try #require(final["deductions"]?.arrayValue)
        #expect(deductions.allSatisfy { $0["invoice"]?.intValue == aconto && $0["reference"]?.stringValue == a["reference"]?.stringValue })
        #expect(deductions.map { $0["gross"]?.intValue ?? 0 }.reduce(0, +) == 300_000)
        // VAT due on the final invoice: the goods' 2,000.00 less the 588.24 invoiced on account.
        #expect(Self.vat(final, 2500)?.vat == 200_000 - 58_824 && Self.vat(final, 2500)?.gross == 1_000_000 - 294_118)
        let zeroRated: Int64 = Self.vat(final, 0)?.gross ?? -1
        #expect(zeroRated == 14_118)
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == 1_020_000 && o["uninvoiced_captured"]?.intValue == 0)
        try Self.expectInvariant(shop, n)
        // Nothing is open on account any more: a new on-account capture has nothing to pay for.
        try expectRefused(shop, .policy) { try shop.capture(n, amount: 100) }

        // A return of the book is credited against the final invoice (its goods), refunded.
        let cn = try shop.call("credit_note.create", ["order": .int(n), "invoice": final["number"] ?? 0,
                                                        "lines": [["sku": "BOOK", "qty": 1]], "reason": "Retur"])
        #expect(cn["total"]?.intValue == 20_000 && cn["refunded"]?.intValue == 20_000)
        try Self.expectInvariant(shop, n)
        // The on-account invoice is fully deducted: nothing is left to credit against it.
        try expectRefused(shop, .conflict, "0.00 DKK left to credit") {
            try shop.call("credit_note.create", ["order": .int(n), "invoice": .int(aconto), "amount": 100, "reason": "x"])
        }
    }

    @Test("an order cancelled after a deposit: the on-account invoice is credited by the per-rate rule and refunded")
    func creditOnAccount() throws {
        let shop = try Shop()
        try shop.settings(["capture": ["on_account": true]])
        let n = try shop.createOrder(lines: Self.lines)
        try shop.authorize(n)
        let aconto = try #require(try shop.capture(n, amount: 300_000)["invoice"]?.intValue)
        // A part, then the rest: the last credit at each rate reverses exactly the VAT left.
        let first = try shop.call("credit_note.create", ["order": .int(n), "invoice": .int(aconto), "amount": 100_001, "reason": "Aftale ændret"])
        #expect(first["refunded"]?.intValue == 100_001)
        try Self.expectInvariant(shop, n)
        let rest = try shop.call("credit_note.create", ["order": .int(n), "invoice": .int(aconto), "reason": "Annulleret"])
        #expect(rest["total"]?.intValue == 199_999)
        let docs = try MoneyInvariantPropertyTests.documents(shop, n)
        let notes = docs.filter { $0.kind == .credit_note }
        #expect(notes.reduce(0) { $0 + $1.breakdown.vat } == 58_824, "credit notes reverse exactly the VAT the on-account invoice charged")
        let o = try shop.order(n)
        #expect(o["refunded"]?.intValue == 300_000)
        try Self.expectInvariant(shop, n)
        // Nothing open on account: shipping and capturing invoices whole goods without deductions
        // (the authorisation holds 7,200 kr. after the 3,000 captured: the book fits, the sofa not).
        _ = try shop.shipAndHandOver(n)
        let f = try shop.capture(n)
        #expect(f["captured"]?.intValue == 20_000)
        #expect(try Self.document(shop, try #require(f["invoice"]?.intValue))["deductions"] == nil)
        try Self.expectInvariant(shop, n)
    }

    @Test("prepayments under capture_policy anytime: two on-account invoices, a final invoice that covers goods without a capture, then the rest")
    func severalPrepayments() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime", "capture": ["on_account": true]])
        let n = try shop.createOrder(lines: [Shop.line("CUP", "Kop", qty: 2, price: 10_000)])
        try shop.authorize(n)
        let a1 = try #require(try shop.capture(n, amount: 5_000)["invoice"]?.intValue)
        let a2 = try #require(try shop.capture(n, amount: 10_000)["invoice"]?.intValue)
        #expect(a2 == a1 + 1, "on-account invoices are numbered in the invoice series")
        try Self.expectInvariant(shop, n)
        // One cup invoiced: 100 kr. of the 150 on account pays for it; no money moves.
        let one = try shop.call("invoice.create", ["order": .int(n), "lines": [["sku": "CUP", "qty": 1]]])
        #expect(one["total"]?.intValue == 0 && one["lines_total"]?.intValue == 10_000)
        #expect((one["deductions"]?.arrayValue ?? []).map { $0["invoice"]?.intValue ?? 0 } == [a1, a2])
        try Self.expectInvariant(shop, n)
        // The second cup: 50 kr. left on account, 50 kr. captured.
        let c = try shop.capture(n)
        #expect(c["captured"]?.intValue == 5_000)
        let final = try Self.document(shop, try #require(c["invoice"]?.intValue))
        #expect(final["lines_total"]?.intValue == 10_000 && final["total"]?.intValue == 5_000)
        #expect((final["deductions"]?.arrayValue ?? []).allSatisfy { $0["invoice"]?.intValue == a2 })
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == 20_000)
        try Self.expectInvariant(shop, n)
    }

    @Test("goods paid in full on account: the capture issues the final invoice and moves no money")
    func finalWithoutCapture() throws {
        let shop = try Shop()
        try shop.settings(["capture_policy": "anytime", "capture": ["on_account": true]])
        let n = try shop.createOrder(lines: [Shop.line("CUP", "Kop", qty: 2, price: 10_000)])
        try shop.authorize(n)
        _ = try shop.capture(n, amount: 15_000)
        _ = try shop.capture(n, amount: 5_000)  // 200 kr. = both cups: a goods invoice deducting 150 kr.
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == 20_000)
        try Self.expectInvariant(shop, n)
        let m = try shop.createOrder(lines: [Shop.line("CUP", "Kop", qty: 1, price: 10_000), Shop.line("LID", "Låg", qty: 1, price: 3_000)])
        try shop.authorize(m)
        _ = try shop.capture(m, amount: 11_000)  // not 100, 30 or 130: on account
        try shop.settings(["capture_policy": "on_hand_over"])
        _ = try shop.shipAndHandOver(m, [("CUP", 1)])
        let r = try shop.capture(m)
        #expect(r["captured"]?.intValue == 0 && r["invoice"]?.intValue != nil)
        try Self.expectInvariant(shop, m)
    }

    @Test("on-account and final invoices render: PDF/HTML titles and deduction lines, UBL type 386, billing reference, tax net of the prepayment")
    func rendering() throws {
        let shop = try Shop()
        try shop.settings(["capture": ["on_account": true]])
        let n = try shop.createOrder(lines: Self.lines)
        try shop.authorize(n)
        let aconto = try #require(try shop.capture(n, amount: 300_000)["invoice"]?.intValue)
        _ = try shop.shipAndHandOver(n)
        let final = try #require(try shop.capture(n)["invoice"]?.intValue)
        func text(_ number: Int64, _ format: String, _ language: String = "da") throws -> String {
            let r = try shop.call("invoice.render", ["number": .int(number), "format": .string(format), "language": .string(language)])
            return String(decoding: try DocumentRenderTests.decoded(r), as: UTF8.self)
        }
        let aconto_ref = try #require(try Self.document(shop, aconto)["reference"]?.stringValue)
        let html = try text(aconto, "html")
        #expect(html.contains("Acontofaktura") && html.contains("Acontobeløb (25 % moms)") && html.contains("momsloven § 23"))
        #expect(try text(aconto, "html", "en").contains("On-account invoice"))
        let fhtml = try text(final, "html")
        #expect(fhtml.contains("Fradrag acontofaktura \(aconto_ref) (25 % moms)") && fhtml.contains("Slutfaktura"))
        #expect(try text(final, "html", "en").contains("Less on-account invoice \(aconto_ref)"))
        let pdf = try DocumentRenderTests.decoded(try shop.call("invoice.render", ["number": .int(final), "format": "pdf"]))
        #expect(pdf.starts(with: Array("%PDF".utf8)))
        let ubl = try text(aconto, "ubl")
        #expect(ubl.contains("<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>") && ubl.contains("<cbc:PrepaidAmount currencyID=\"DKK\">3000.00</cbc:PrepaidAmount>"))
        let fubl = try text(final, "ubl")
        #expect(fubl.contains("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"))
        #expect(fubl.contains("<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>\(aconto_ref)</cbc:ID>")
            || fubl.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "").contains("<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>\(aconto_ref)</cbc:ID>"))
        // Tax: the goods' 2,000.00 VAT less the 588.24 invoiced on account; payable what was captured now.
        #expect(fubl.contains("<cbc:TaxAmount currencyID=\"DKK\">1411.76</cbc:TaxAmount>"))
        #expect(fubl.contains("<cbc:TaxInclusiveAmount currencyID=\"DKK\">7200.00</cbc:TaxInclusiveAmount>"))
        #expect(fubl.contains("<cbc:PrepaidAmount currencyID=\"DKK\">7200.00</cbc:PrepaidAmount>"))
        if let dir = ProcessInfo.processInfo.environment["OE_UBL_OUT"] {
            try Data(ubl.utf8).write(to: URL(fileURLWithPath: "\(dir)/aconto.xml"))
            try Data(fubl.utf8).write(to: URL(fileURLWithPath: "\(dir)/final.xml"))
        }
    }
}
