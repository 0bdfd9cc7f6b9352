import Testing
@testable import OrderCore

/// Credits by amount follow the per-rate credit rule (`CreditRule`): these were known issues
/// (issue 13, point 3) and are fixed.
@Suite("Credit by amount: what is left per rate")
struct CreditAmountKnownIssuesTests {
    typealias F = Fixture

    @Test("after the 25 % lines were credited by units, an amount credit should not credit 25 % VAT again")
    func splitIgnoresEarlierUnitCredits() throws {
        let inv = F.invoice(1, [
            InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 10_000, vatRate: 2500),
            InvoiceLine(sku: "N", name: "Newspaper", qty: 2, unitPrice: 2_500, vatRate: 0),
        ])
        // Credit note 1 takes back the whole 25 % line; 50.00 at 0 % is left.
        let a = F.aggregate([], documents: [inv, F.creditNote(1, against: 1, [inv.lines[0]])])
        let lines = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 5_000, language: .da)
        #expect(lines.reduce(0) { $0 + $1.gross } == 5_000)
        // Formerly 16.67 at 0 % and 33.33 at 25 % — more 25 % VAT credited than was invoiced.
        #expect(lines.allSatisfy { $0.vatRate == 0 })
    }

    @Test("no rate should get more credit than was invoiced at it (three rates, amount just below the total)")
    func remainderCanExceedLastRate() throws {
        let inv = F.invoice(1, [
            InvoiceLine(sku: "Z", name: "Z", qty: 1, unitPrice: 5_000, vatRate: 0),
            InvoiceLine(sku: "M", name: "M", qty: 1, unitPrice: 3_000, vatRate: 1200),
            InvoiceLine(sku: "F", name: "F", qty: 1, unitPrice: 10_000, vatRate: 2500),
        ])
        let a = F.aggregate([], documents: [inv])
        let lines = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 17_999, language: .da)
        #expect(lines.reduce(0) { $0 + $1.gross } == 17_999)
        let byRate = Dictionary(uniqueKeysWithValues: inv.breakdown.rows.map { ($0.rate, $0.gross) })
        // Formerly the whole rounding remainder went to the last rate: 100.01 at 25 % of 100.00 invoiced.
        #expect(lines.allSatisfy { $0.gross <= byRate[$0.vatRate]! })
    }

    @Test("a 12.5 % rate should be labelled 12.5 %, not 12 %")
    func fractionalRateLabel() throws {
        let inv = F.invoice(1, [InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 11_250, vatRate: 1250)])
        let a = F.aggregate([], documents: [inv])
        let lines = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 1_000, language: .da)
        // Formerly "12%" (rate / 100 in integers). Danish writes the decimal comma.
        #expect(lines.first?.name == "Kreditering (12,5 % moms)")
        let en = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 1_000, language: .en)
        #expect(en.first?.name == "Credit (12.5% VAT)")
        #expect(CreditRule.rateLabel(1234, .da) == "12,34 %")
        #expect(CreditRule.rateLabel(1205, .en) == "12.05%")
        #expect(CreditRule.rateLabel(2500, .da) == "25 %")
    }

    @Test("three one-unit credits of 3 × 0.03 kr. at 25 % reverse the 0.02 kr. VAT invoiced, not 0.03")
    func roundingDoesNotAccumulate() throws {
        let inv = F.invoice(1, [InvoiceLine(sku: "P", name: "Pin", qty: 3, unitPrice: 3, vatRate: 2500)])
        #expect(inv.breakdown.vat == 2)
        var a = F.aggregate([], documents: [inv])
        var vats: [Int64] = []
        for k in 1...3 {
            let lines = try InvoicePlanner.creditLines(a, invoice: inv, units: [LineQuantity(sku: "P", qty: 1)])
            let fixed = CreditRule.vat(of: InvoicePlanner.grossByRate(lines), balances: CreditRule.balances(of: inv, documents: a.documents))
            var cn = F.creditNote(Int64(k), against: 1, lines)
            cn.fixedVAT = fixed
            vats.append(cn.breakdown.vat)
            a.documents.append(cn)
            #expect(CreditRule.violations(of: inv, documents: a.documents).isEmpty)
        }
        #expect(vats == [1, 0, 1])
        #expect(vats.reduce(0, +) == inv.breakdown.vat)
    }

    @Test("a line credit that is more than is left at its rate after an amount credit is refused")
    func lineCreditAfterAmountCredit() throws {
        let inv = F.invoice(1, [
            InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 10_000, vatRate: 2500),
            InvoiceLine(sku: "N", name: "Newspaper", qty: 2, unitPrice: 2_500, vatRate: 0),
        ])
        var a = F.aggregate([], documents: [inv])
        let amount = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 10_000, language: .da)
        #expect(amount.map(\.gross) == [3_333, 6_667])
        a.documents.append(F.creditNote(1, against: 1, amount))
        expectOrderError(.conflict, "left to credit at 0% VAT", "16.67 DKK", "asked for 50.00 DKK") {
            _ = try InvoicePlanner.creditLines(a, invoice: inv, units: [LineQuantity(sku: "N", qty: 2)])
        }
    }
}
