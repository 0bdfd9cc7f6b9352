import Testing
@testable import OrderCore

/// Behaviour of `InvoicePlanner.creditAmount` that looks wrong but is left for the lead to decide
/// (see the test report). Each test is wrapped in `withKnownIssue`, so the suite passes while the
/// issue exists and flags the test ("known issue was not recorded") once it is fixed — then
/// remove the wrapper.
@Suite("Credit by amount: known issues")
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
        withKnownIssue("creditAmount splits by the invoice's per-rate gross, not by what is left per rate") {
            // Today: 16.67 at 0 % and 33.33 at 25 % — more 25 % VAT credited than was invoiced.
            #expect(lines.allSatisfy { $0.vatRate == 0 })
        }
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
        withKnownIssue("the whole rounding remainder goes to the last rate: 100.01 credited at 25 % of 100.00 invoiced") {
            #expect(lines.allSatisfy { $0.gross <= byRate[$0.vatRate]! })
        }
    }

    @Test("a 12.5 % rate should be labelled 12.5 %, not 12 %")
    func fractionalRateLabel() throws {
        let inv = F.invoice(1, [InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 11_250, vatRate: 1250)])
        let a = F.aggregate([], documents: [inv])
        let lines = try InvoicePlanner.creditAmount(a, invoice: inv, amount: 1_000, language: .da)
        withKnownIssue("the label uses rate / 100 (integer division)") {
            #expect(lines.first?.name == "Kreditering (12.5% moms)")
        }
    }
}
