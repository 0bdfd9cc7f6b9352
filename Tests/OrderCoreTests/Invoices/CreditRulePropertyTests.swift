import Testing
@testable import OrderCore

/// The per-rate credit rule under random use: random invoices (one to five lines at 0, 5, 12.5
/// and 25 %, prices from 0.01 kr. to 10,000 kr.), random sequences of partial line and amount
/// credits until the invoice is fully credited, the invariant checked after every credit note.
@Suite("Credit rule: property test")
struct CreditRulePropertyTests {
    typealias F = Fixture

    static let invoices = 1_000
    static let sequencesPerInvoice = 5

    /// One random sequence of credits against `inv`; returns the violations found (with context).
    static func run(_ inv: InvoiceDocument, _ rng: inout SplitMix64) -> [String] {
        var a = F.aggregate([], documents: [inv])
        var problems: [String] = []
        var number: Int64 = 0
        for _ in 0..<40 {
            let balances = CreditRule.balances(of: inv, documents: a.documents)
            let left = balances.reduce(0) { $0 + $1.leftGross }
            if left == 0 { break }
            let lines: [InvoiceLine]
            if Bool.random(using: &rng) {
                // A line credit: a random SKU, a random share of its uncredited units.
                let credited = a.credited(against: inv.number).units
                let open = inv.lines.filter { $0.qty - (credited[$0.sku] ?? 0) > 0 }
                guard let l = open.randomElement(using: &rng) else { continue }
                let q = Int64.random(in: 1...(l.qty - (credited[l.sku] ?? 0)), using: &rng)
                do { lines = try InvoicePlanner.creditLines(a, invoice: inv, units: [LineQuantity(sku: l.sku, qty: q)]) } catch {
                    // Refused because an amount credit took its rate's money: must be a per-rate conflict.
                    if error.code != .conflict || !error.message.contains("left to credit at") { problems.append("unexpected refusal \(error)") }
                    continue
                }
            } else {
                // An amount credit: tiny, random, or everything left.
                let amount = switch Int.random(in: 0..<4, using: &rng) {
                case 0: Int64(1)
                case 1: left
                default: Int64.random(in: 1...left, using: &rng)
                }
                do { lines = try InvoicePlanner.creditAmount(a, invoice: inv, amount: amount, language: .da) } catch {
                    problems.append("amount \(amount) of \(left) refused: \(error)")
                    continue
                }
                if lines.reduce(0, { $0 + $1.gross }) != amount { problems.append("amount \(amount) split into \(lines.map(\.gross))") }
            }
            number += 1
            var cn = F.creditNote(number, against: inv.number, lines)
            cn.fixedVAT = CreditRule.vat(of: InvoicePlanner.grossByRate(lines), balances: balances)
            a.documents.append(cn)
            for v in CreditRule.violations(of: inv, documents: a.documents) { problems.append("after credit \(number): \(v)") }
            for row in cn.breakdown.rows where row.vat < 0 || row.net < 0 { problems.append("credit \(number) has negative VAT or net: \(row)") }
        }
        // Finish with an amount credit of everything left: then every rate is reversed exactly.
        let left = CreditRule.balances(of: inv, documents: a.documents).reduce(0) { $0 + $1.leftGross }
        if left > 0, let lines = try? InvoicePlanner.creditAmount(a, invoice: inv, amount: left, language: .en) {
            var cn = F.creditNote(number + 1, against: inv.number, lines)
            cn.fixedVAT = CreditRule.vat(of: InvoicePlanner.grossByRate(lines), balances: CreditRule.balances(of: inv, documents: a.documents))
            a.documents.append(cn)
        }
        for b in CreditRule.balances(of: inv, documents: a.documents)
        where b.creditedGross != b.invoicedGross || b.creditedVAT != b.invoicedVAT {
            problems.append("fully credited but rate \(b.rate) is off: \(b)")
        }
        return problems
    }

    static func randomInvoice(_ rng: inout SplitMix64) -> InvoiceDocument {
        let rates: [Int64] = [0, 500, 1250, 2500]
        let lines = (0..<Int.random(in: 1...5, using: &rng)).map { k in
            let price: Int64 = switch Int.random(in: 0..<3, using: &rng) {
            case 0: Int64.random(in: 1...9, using: &rng)
            case 1: Int64.random(in: 1...100_000, using: &rng)
            default: Int64.random(in: 1...1_000_000, using: &rng)
            }
            return InvoiceLine(sku: "S\(k)", name: "Line \(k)", qty: Int64.random(in: 1...5, using: &rng), unitPrice: price,
                               vatRate: rates.randomElement(using: &rng)!)
        }
        return F.invoice(1, lines)
    }

    @Test("no sequence of line and amount credits reverses more gross, net or VAT at any rate than was invoiced")
    func randomSequences() {
        var rng = SplitMix64(seed: 13)
        var problems: [String] = []
        for _ in 0..<Self.invoices {
            let inv = Self.randomInvoice(&rng)
            for _ in 0..<Self.sequencesPerInvoice {
                let p = Self.run(inv, &rng)
                if !p.isEmpty { problems.append("\(inv.lines.map { "\($0.qty)×\($0.unitPrice)@\($0.vatRate)" }): \(p.prefix(3))") }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) failing sequences, e.g. \(problems.prefix(3))")
    }
}
