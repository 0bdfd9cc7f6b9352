import OrderCore
import OrderEngine
import Testing

/// Defects an outside review found in returns, order edits and documents: each test fails on
/// the code before its fix. A bookkeeper's eye: VAT of a short refund, the customer's mail
/// texts and their dates, the dates printed on documents.
@Suite struct ReviewFindingsTests {
    func lines(_ l: [(String, Int64)]) -> JSON { .array(l.map { ["sku": .string($0.0), "qty": .int($0.1)] }) }

    /// Two bags of coffee at 100.00 (25 %) and a newspaper at 100.00 (0 %, momsfritaget),
    /// handed over and captured (one invoice).
    func mixedRateOrder(_ shop: Shop) throws -> Int64 {
        let n = try shop.paidOrder(lines: [Shop.line("KAF", "Kaffe", qty: 2, price: 10_000),
                                           Shop.line("AVIS", "Avis", qty: 1, price: 10_000, vat: 0)], notify: true)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        return n
    }

    @Test func aShortRefundOfAReturnTakesVATOnlyAtTheReturnedGoodsRate() throws {
        let shop = try Shop()
        let n = try mixedRateOrder(shop)
        let coffee = try shop.call("return.create", ["order": .int(n), "lines": lines([("KAF", 1)]), "reason": "Fortrudt"])
        // 50.00 back for a 25 % coffee: all of it at 25 % (10.00 VAT), nothing at the newspaper's 0 %.
        let refund = try shop.call("return.refund", ["return": coffee["number"]!, "amount": 5_000])
        let cn = try #require(refund["document"]?["lines"]?.arrayValue)
        #expect(cn.map { $0["vat_rate"]?.intValue } == [2_500])
        #expect(cn.reduce(Int64(0)) { $0 + ($1["vat"]?.intValue ?? 0) } == 1_000)
        // The newspaper returned afterwards can still be refunded in full at 0 %.
        let paper = try shop.call("return.create", ["order": .int(n), "lines": lines([("AVIS", 1)]), "reason": "Fortrudt"])
        let back = try shop.call("return.refund", ["return": paper["number"]!])
        #expect(back["total"]?.intValue == 10_000)
        #expect(back["document"]?["lines"]?[0]?["vat_rate"]?.intValue == 0)
    }

    @Test func theReturnMailNamesTheGoodsAndGivesTheDeadlineAsADanishDate() throws {
        let shop = try Shop()
        let n = try mixedRateOrder(shop)
        // 23:30 UTC on 23 November is 00:30 on the 24th in Copenhagen; the deadline 14 days on
        // is 8 December there (7 December in UTC).
        shop.clock.advance(hours: 15, minutes: 30)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("KAF", 2)]), "reason": "Fortrudt",
                                                 "withdrawal": true])
        let id = try #require(r["outbox"]?[0]?.intValue)
        let mail = try #require(try shop.outbox(order: n).first { $0["id"]?.intValue == id })
        let body = try #require(mail["body"]?.stringValue)
        #expect(body.contains("2 × Kaffe"))
        #expect(!body.contains("× KAF"))
        #expect(body.contains("8.12.2026"))
        #expect(!body.contains("efter i dag"))
    }

    @Test func theEnglishReturnMailToo() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(customer: Shop.customer(language: "en"), notify: true)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        let r = try shop.call("return.create", ["order": .int(n), "lines": lines([("MUG", 1)]), "reason": "Changed my mind",
                                                 "withdrawal": true])
        let id = try #require(r["outbox"]?[0]?.intValue)
        let body = try #require(try shop.outbox(order: n).first { $0["id"]?.intValue == id }?["body"]?.stringValue)
        #expect(body.contains("1 × Krus"))
        #expect(body.contains("7 December 2026"))
    }

    @Test func theEditMailEndsTheDanishTotalWithOneFullStop() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(notify: true)
        let r = try shop.call("order.edit", ["order": .int(n), "set_qty": [["sku": "TSHIRT", "qty": 1]], "reason": "Kunden ringede"])
        let id = try #require(r["outbox"]?[0]?.intValue)
        let body = try #require(try shop.outbox(order: n).first { $0["id"]?.intValue == id }?["body"]?.stringValue)
        #expect(body.contains("Ny total: 298,00 kr.\n"))
        #expect(!body.contains("kr.."))
    }

    @Test func renderedDocumentsPrintTheDanishIssueDateNotTheUTCOne() throws {
        let shop = try Shop()
        // 23:30 UTC on 31 December 2026 is 00:30 on 1 January 2027 in Copenhagen: the invoice
        // belongs to the new year's VAT period, and every rendering must say so.
        shop.clock.set(Timestamp(year: 2026, month: 12, day: 31, hour: 23, minute: 30))
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        let inv = try #require(try shop.capture(n)["invoice"]?.intValue)
        #expect(try shop.call("invoice.get", ["number": .int(inv)])["issue_date"]?.stringValue == "2027-01-01")
        let cn = try #require(try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]],
                                                                    "reason": "Knust"])["credit_note"]?.intValue)
        func rendered(_ number: Int64, _ kind: String, _ format: String) throws -> String {
            let r = try shop.call("invoice.render", ["number": .int(number), "kind": .string(kind), "format": .string(format)])
            let text = try #require(r["content_base64"]?.stringValue)
            return String(decoding: try #require(Base64.decode(text)), as: UTF8.self)
        }
        let html = try rendered(inv, "invoice", "html")
        #expect(html.contains("01.01.2027"))
        #expect(!html.contains("31.12.2026"))
        #expect(try rendered(inv, "invoice", "ubl").contains("<cbc:IssueDate>2027-01-01</cbc:IssueDate>"))
        let creditHTML = try rendered(cn, "credit_note", "html")
        #expect(!creditHTML.contains("31.12.2026"), "the credited invoice's date too")
        let creditUBL = try rendered(cn, "credit_note", "ubl")
        #expect(!creditUBL.contains("2026-12-31"))
        #expect(creditUBL.contains("<cbc:IssueDate>2027-01-01</cbc:IssueDate>"))
    }
}
