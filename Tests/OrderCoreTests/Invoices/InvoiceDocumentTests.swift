import Testing
@testable import OrderCore

@Suite("Invoice documents")
struct InvoiceDocumentTests {
    typealias F = Fixture

    private var invoice: InvoiceDocument {
        F.invoice(1, [
            InvoiceLine(sku: "A", name: "Chair", qty: 2, unitPrice: 12_990, vatRate: 2500),
            InvoiceLine(sku: "N", name: "Newspaper", qty: 1, unitPrice: 2_500, vatRate: 0),
            InvoiceLine(sku: "B", name: "Cushion", qty: 1, unitPrice: 3, vatRate: 2500),
        ])
    }

    @Test("totals and the per-rate VAT breakdown balance")
    func totals() {
        let d = invoice
        #expect(d.total == 25_980 + 2_500 + 3)
        let b = d.breakdown
        #expect(b.rows.map(\.rate) == [0, 2500])
        #expect(b.rows[1].gross == 25_983)
        #expect(b.rows[1].vat == VAT.contained(inGross: 25_983, rate: 2500))
        #expect(b.net + b.vat == d.total)
    }

    @Test("the JSON carries the § 58 fields and survives a store and restore")
    func jsonRoundTrip() throws {
        let d = invoice
        let j = d.json
        #expect(j["kind"] == "invoice")
        #expect(j["issue_date"] == "2026-11-28")
        #expect(j["seller"]?["vat_number"] == "(set seller.vat_number)")
        #expect(j["total"] == .int(d.total))
        #expect(j["total_vat"]?.intValue == d.breakdown.vat)
        #expect(j["vat"]?.arrayValue?.count == 2)
        #expect(j["refunded"] == nil)
        #expect(j["lines"]?.arrayValue?[0]["unit_price_excl_vat"] == .int(10_392))
        let restored = try #require(InvoiceDocument(stored: try JSONParser.parse(j.compactText)))
        #expect(restored == d)

        let c = F.creditNote(2, against: 1, [InvoiceLine(sku: "A", name: "Chair", qty: 1, unitPrice: 12_990, vatRate: 2500)])
        #expect(c.json["credits_invoice"] == .int(1))
        #expect(c.json["refunded"] == .int(0))
        #expect(c.json["reason"] == "return")
        #expect(InvoiceDocument(stored: c.json) == c)
        #expect(c.summary["credits_invoice"] == .int(1))
        #expect(c.summary.objectValue?.keys == ["kind", "number", "reference", "issue_date", "total", "credits_invoice"])
    }

    @Test("stored JSON without the essentials is refused")
    func storedInvalid() {
        #expect(InvoiceDocument(stored: ["kind": "receipt", "number": 1]) == nil)
        #expect(InvoiceDocument(stored: .null) == nil)
        #expect(InvoiceLine(stored: ["sku": "A"]) == nil)
    }

    @Test("aggregate views: invoices, credit notes, invoiced units and totals")
    func aggregateViews() {
        let inv = invoice
        let cn = F.creditNote(1, against: 1, [InvoiceLine(sku: "A", name: "Chair", qty: 1, unitPrice: 12_990, vatRate: 2500)])
        let a = F.aggregate([], documents: [inv, cn])
        #expect(a.invoices.map(\.number) == [1])
        #expect(a.creditNotes.map(\.number) == [1])
        #expect(a.invoicedTotal == inv.total)
        #expect(a.invoicedQuantities == ["A": 2, "N": 1, "B": 1])
        #expect(a.credited(against: 1).units == ["A": 1])
        #expect(a.credited(against: 1).total == 12_990)
        #expect(a.credited(against: 2).total == 0)
    }
}
