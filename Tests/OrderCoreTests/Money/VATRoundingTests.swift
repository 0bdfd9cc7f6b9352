import Testing
@testable import OrderCore

/// The rule in `Sources/OrderCore/Money/VAT.swift`: prices include VAT;
/// vat = round_half_away_from_zero(g × r / (10000 + r)); net = g − vat; per rate on sums.
@Suite("VAT rounding")
struct VATRoundingTests {
    @Test("the documented examples", arguments: [
        (10_000, 2500, 2000),  // 100.00 kr. at 25 % holds 20.00 kr.
        (1, 2500, 0),          // 0.002 rounds down
        (3, 2500, 1),          // 0.006 rounds up
        (2, 2500, 0),          // 0.4
        (12_990, 2500, 2598),
        (0, 2500, 0),
        (10_000, 0, 0),
        (11_200, 1200, 1200),  // 12 %
        (10_000, 10_000, 5000),
    ] as [(Int64, Int64, Int64)])
    func examples(gross: Int64, rate: Int64, vat: Int64) {
        #expect(VAT.contained(inGross: gross, rate: rate) == vat)
        #expect(VAT.net(ofGross: gross, rate: rate) == gross - vat)
    }

    @Test("exact halves round away from zero, for positive and negative amounts")
    func halves() {
        // At 100 % the VAT is g / 2: 1 → 0.5, 3 → 1.5.
        #expect(VAT.contained(inGross: 1, rate: 10_000) == 1)
        #expect(VAT.contained(inGross: 3, rate: 10_000) == 2)
        #expect(VAT.contained(inGross: -1, rate: 10_000) == -1)
        #expect(VAT.contained(inGross: -3, rate: 10_000) == -2)
        // At 60 % the VAT is 3g / 8: 4 → 1.5.
        #expect(VAT.contained(inGross: 4, rate: 6000) == 2)
        #expect(VAT.contained(inGross: -4, rate: 6000) == -2)
        // Just below a half rounds towards zero: 0.375 at 60 %.
        #expect(VAT.contained(inGross: 1, rate: 6000) == 0)
        #expect(VAT.contained(inGross: -1, rate: 6000) == 0)
    }

    @Test("negative amounts are symmetric")
    func symmetry() {
        var asymmetric: [(Int64, Int64)] = []
        for g in Int64(0)...3000 {
            for r: Int64 in [0, 600, 2500, 6000, 10_000] where VAT.contained(inGross: -g, rate: r) != -VAT.contained(inGross: g, rate: r) {
                asymmetric.append((g, r))
            }
        }
        #expect(asymmetric.isEmpty, "\(asymmetric.prefix(5))")
    }

    /// Why `VAT.contained` breaks the rule for `g` at `r`, or nil: vat must be the nearest integer
    /// to g·r/(10000+r) with ties away from zero, and net + vat must equal g.
    /// (Returns a value instead of calling #expect so the big loops stay fast.)
    static func violation(_ g: Int64, _ r: Int64) -> String? {
        let vat = VAT.contained(inGross: g, rate: r)
        let net = VAT.net(ofGross: g, rate: r)
        let den = 10_000 + r
        if net + vat != g { return "net + vat != gross for \(g) at \(r)" }
        // |vat − exact| ≤ 0.5  ⇔  |vat·den − g·r| · 2 ≤ den (exact in Int64: |g| ≤ 1e14, r ≤ 1e4).
        let diff = vat * den - g * r
        if diff.magnitude * 2 > UInt64(den) { return "|vat − exact| > 0.5 for \(g) at \(r): vat \(vat)" }
        // A tie must land farther from zero than the exact value.
        if diff.magnitude * 2 == UInt64(den), vat.magnitude * UInt64(den) < (g * r).magnitude {
            return "tie not rounded away from zero for \(g) at \(r)"
        }
        if vat != 0 && vat.signum() != g.signum() { return "sign of vat differs for \(g) at \(r)" }
        return nil
    }

    static let rates: [Int64] = [0, 1, 250, 600, 800, 1200, 1250, 2000, 2100, 2400, 2500, 2550, 3333, 6000, 9999, 10_000]

    @Test("net + vat == gross and |vat − exact| ≤ 0.5 for every small amount at many rates")
    func identitySmall() {
        var failures: [String] = []
        var checked = 0
        for r in Self.rates {
            for g in Int64(-5000)...20_000 {
                checked += 1
                if let f = Self.violation(g, r) { failures.append(f) }
            }
        }
        #expect(checked == Self.rates.count * 25_001)
        #expect(failures.isEmpty, "\(failures.count) violations, first: \(failures.prefix(5))")
    }

    @Test("net + vat == gross and |vat − exact| ≤ 0.5 for large and random amounts")
    func identityLarge() {
        var rng = SplitMix64(seed: 2500)
        var amounts: [Int64] = [Amounts.max, -Amounts.max, Amounts.max - 1, 99_999_999_999_999, 1_000_000_000_000]
        for _ in 0..<20_000 { amounts.append(Int64.random(in: -Amounts.max...Amounts.max, using: &rng)) }
        var failures: [String] = []
        for g in amounts {
            for r in Self.rates { if let f = Self.violation(g, r) { failures.append(f) } }
            if let f = Self.violation(g, Int64.random(in: 0...VAT.maxRate, using: &rng)) { failures.append(f) }
        }
        #expect(failures.isEmpty, "\(failures.count) violations, first: \(failures.prefix(5))")
    }

    @Test("a breakdown applies the rule once per rate, on the sum")
    func perRateOnSums() {
        // Three lines of 0.01 kr. at 25 %: 0.00 VAT each, but 0.006 on the sum of 0.03 rounds to 0.01.
        let b = VATBreakdown([(1, 2500), (1, 2500), (1, 2500)])
        #expect(b.rows == [VATBreakdown.Row(rate: 2500, net: 2, vat: 1, gross: 3)])
        #expect(b.vat == 1)
        let perLine = (0..<3).map { _ in VAT.contained(inGross: 1, rate: 2500) }.reduce(0, +)
        #expect(perLine == 0)
    }

    @Test("breakdown rows are sorted by rate and each row balances")
    func breakdownRows() {
        let items: [(gross: Int64, rate: Int64)] = [(12_990, 2500), (4_500, 0), (7_777, 1250), (3, 2500), (100, 0), (1, 1250)]
        let b = VATBreakdown(items)
        #expect(b.rows.map(\.rate) == [0, 1250, 2500])
        #expect(b.rows.map(\.gross) == [4_600, 7_778, 12_993])
        for row in b.rows {
            #expect(row.net + row.vat == row.gross)
            #expect(row.vat == VAT.contained(inGross: row.gross, rate: row.rate))
        }
        #expect(b.gross == items.reduce(0) { $0 + $1.gross })
        #expect(b.net + b.vat == b.gross)
        #expect(b.rows[1].vat == VAT.contained(inGross: 7_778, rate: 1250))
    }

    @Test("empty and negative breakdowns")
    func emptyAndNegative() {
        let empty = VATBreakdown([])
        #expect(empty.rows.isEmpty)
        #expect(empty.gross == 0 && empty.vat == 0 && empty.net == 0)

        let credit = VATBreakdown([(-12_990, 2500), (-3, 2500)])
        #expect(credit.vat == -VAT.contained(inGross: 12_993, rate: 2500))
        #expect(credit.net + credit.vat == -12_993)
    }

    @Test("random breakdowns always balance, per row and in total")
    func randomBreakdowns() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let items: [(gross: Int64, rate: Int64)] = (0..<Int.random(in: 1...12, using: &rng)).map { _ in
                (Int64.random(in: 0...1_000_000, using: &rng), [0, 600, 1200, 2500].randomElement(using: &rng)!)
            }
            let b = VATBreakdown(items)
            #expect(b.net + b.vat == b.gross)
            #expect(b.gross == items.reduce(0) { $0 + $1.gross })
            #expect(Set(b.rows.map(\.rate)).count == b.rows.count)
            #expect(b.rows.map(\.rate) == b.rows.map(\.rate).sorted())
            for row in b.rows { #expect(row.net + row.vat == row.gross) }
        }
    }

    @Test("order VAT is per rate on the order's line totals")
    func orderVAT() {
        let order = Fixture.order([
            OrderLine(sku: "A", name: "A", qty: 3, unitPrice: 1),
            OrderLine(sku: "B", name: "B", qty: 1, unitPrice: 12_990),
            OrderLine(sku: "C", name: "Newspaper", qty: 2, unitPrice: 2_500, vatRate: 0),
        ])
        #expect(order.total == 3 + 12_990 + 5_000)
        let vat = order.vat
        #expect(vat.rows.map(\.rate) == [0, 2500])
        #expect(vat.rows[0].vat == 0)
        #expect(vat.rows[1].vat == VAT.contained(inGross: 12_993, rate: 2500))
        #expect(vat.gross == order.total)
    }

    @Test("invoice line VAT and unit price excluding VAT use the same rule")
    func invoiceLine() {
        let l = InvoiceLine(sku: "A", name: "A", qty: 3, unitPrice: 12_990, vatRate: 2500)
        #expect(l.gross == 38_970)
        #expect(l.vat == 7_794)
        #expect(l.net == 31_176)
        #expect(l.unitPriceExclVAT == 10_392)
    }
}
