import OrderCore
@testable import OrderDocuments
import Testing

@Suite struct LayoutTests {
    @Test("a one-line seller address parses into street, postal code, city and country")
    func parseAddress() {
        let a = PostalAddress(parsing: "Jægergårdsgade 50, 8000 Aarhus C, DK")
        #expect(a == PostalAddress(street: "Jægergårdsgade 50", postalCode: "8000", city: "Aarhus C", country: "DK"))
        let b = PostalAddress(parsing: "Storgatan 1\nc/o Lager\n111 22 Stockholm\nSE")
        #expect(b.country == "SE" && b.street == "Storgatan 1" && b.postalCode == "111")
    }

    @Test("line amounts at one rate add up to that rate's taxable amount and VAT")
    func allocation() {
        let lines = (1...7).map { InvoiceLine(sku: "S\($0)", name: "x", qty: 1, unitPrice: 333, vatRate: 2500) }
        let a = LineAmounts.allocate(lines)
        let b = VATBreakdown(lines.map { ($0.gross, $0.vatRate) })
        #expect(a.reduce(0) { $0 + $1.vat } == b.vat)
        #expect(a.reduce(0) { $0 + $1.net } == b.net)
    }

    @Test("UBL prices carry enough decimals for quantity × price to give the line amount")
    func prices() {
        #expect(UBLWriter.price(10_000, qty: 3, .dkk) == "33.333333")
        #expect(UBLWriter.price(10_000, qty: 4, .dkk) == "25.00")
        #expect(UBLWriter.amount(-1234, .dkk) == "-12.34")
        #expect(UBLWriter.percent(1250) == "12.5")
    }
}

@Suite struct PeppolBuyerIdentifierTests {
    @Test("a foreign business buyer's VAT number gives its country's EAS scheme; Sweden and Norway their organisation numbers")
    func schemes() {
        func id(_ v: String) -> String? { UBLWriter.peppolID(v).map { "\($0.scheme):\($0.id)" } }
        #expect(id("DE123456789") == "9930:DE123456789")
        #expect(id("fr 12 345678901") == "9957:FR12345678901")
        #expect(id("EL123456789") == "9933:EL123456789")
        #expect(id("SE556677889901") == "0007:5566778899")
        #expect(id("NO923609016MVA") == "0192:923609016")
        #expect(id("NO923609016") == nil && id("US12-3456789") == nil && id("DE") == nil)
    }
}
