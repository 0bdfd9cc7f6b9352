/// The per-rate credit rule: credit notes against one invoice add up, at every VAT rate, to at
/// most what the invoice charged at that rate — gross, net and VAT alike — and the credit that
/// reaches an invoice's total at a rate reverses exactly the remainder of its VAT.
///
/// **The rule.** For an invoice and one VAT rate `r`, let `G` be the gross it charged at `r`
/// and `C` the gross already credited at `r` by earlier credit notes (whose VAT at `r` sums to
/// `V_c`). A new credit of gross `g` at `r` reverses
///
///     vat = VAT.contained(inGross: C + g, rate: r) − V_c
///
/// (clamped to what is left of the invoice's VAT and net at `r`), so the credited VAT follows
/// the VAT contained in the cumulative credited gross, and at `C + g = G` it is exactly the
/// invoice's VAT at `r`. Rounding never accumulates: three credits of 0.03 kr. at 25 % against
/// 0.09 kr. invoiced reverse 0.01 + 0.00 + 0.01 kr. VAT, the 0.02 kr. the invoice charged.
///
/// **Amount credits** (`split`) are spread over the rates in proportion to the gross still
/// uncredited at each rate (largest remainder), never more than that at any rate. The rule works
/// on the invoice's VAT breakdown, so it applies to any invoice lines (goods, fees, discounts).
public enum CreditRule {
    /// One rate of an invoice: what it charged and what credit notes have reversed so far.
    public struct Balance: Sendable, Equatable {
        /// Basis points.
        public var rate: Int64
        public var invoicedGross: Int64
        public var invoicedVAT: Int64
        public var creditedGross: Int64
        public var creditedVAT: Int64

        /// A rate's balance; `creditedGross`/`creditedVAT` default to nothing credited yet.
        public init(rate: Int64, invoicedGross: Int64, invoicedVAT: Int64, creditedGross: Int64 = 0, creditedVAT: Int64 = 0) {
            self.rate = rate
            self.invoicedGross = invoicedGross
            self.invoicedVAT = invoicedVAT
            self.creditedGross = creditedGross
            self.creditedVAT = creditedVAT
        }

        public var invoicedNet: Int64 { invoicedGross - invoicedVAT }
        public var creditedNet: Int64 { creditedGross - creditedVAT }
        /// Gross still uncredited at this rate.
        public var leftGross: Int64 { invoicedGross - creditedGross }
        /// VAT still uncredited at this rate.
        public var leftVAT: Int64 { invoicedVAT - creditedVAT }
        /// Net still uncredited at this rate.
        public var leftNet: Int64 { invoicedNet - creditedNet }
    }

    /// Per rate (ascending) of `invoice`: what may be credited against it and what credit notes
    /// have reversed. For an ordinary invoice, what it charged; for a final invoice, its lines
    /// (the goods it lists, before the on-account deductions); for an on-account invoice, what
    /// it charged less what final invoices deducted (counted as credited, `OnAccount.balances`).
    /// Rates only credited (never invoiced) appear with zero invoiced.
    public static func balances(of invoice: InvoiceDocument, documents: [InvoiceDocument]) -> [Balance] {
        invoice.onAccount ? OnAccount.balances(of: invoice, documents: documents) : plainBalances(of: invoice, documents: documents)
    }

    /// Gross left to credit against `invoice`, over all its rates.
    public static func left(of invoice: InvoiceDocument, documents: [InvoiceDocument]) -> Int64 {
        balances(of: invoice, documents: documents).reduce(0) { $0 + max(0, $1.leftGross) }
    }

    /// Per rate (ascending) of `invoice`'s lines: invoiced, and credited by those of `documents`
    /// that are credit notes against it (deductions not considered).
    public static func plainBalances(of invoice: InvoiceDocument, documents: [InvoiceDocument]) -> [Balance] {
        var byRate: [Int64: Balance] = [:]
        for row in invoice.linesBreakdown.rows {
            byRate[row.rate] = Balance(rate: row.rate, invoicedGross: row.gross, invoicedVAT: row.vat, creditedGross: 0, creditedVAT: 0)
        }
        for d in documents where d.kind == .credit_note && d.creditsInvoice == invoice.number {
            for row in d.breakdown.rows {
                var b = byRate[row.rate] ?? Balance(rate: row.rate, invoicedGross: 0, invoicedVAT: 0, creditedGross: 0, creditedVAT: 0)
                b.creditedGross += row.gross
                b.creditedVAT += row.vat
                byRate[row.rate] = b
            }
        }
        return byRate.keys.sorted().map { byRate[$0]! }
    }

    /// Refuses a credit whose gross at some rate exceeds what is left uncredited there, with a
    /// `conflict` naming the rate and both amounts. `grossByRate` is the new credit per rate.
    public static func check(_ grossByRate: [Int64: Int64], against invoice: InvoiceDocument, balances: [Balance]) throws(OrderError) {
        let cur = invoice.currency
        for rate in grossByRate.keys.sorted() {
            let g = grossByRate[rate]!
            let left = balances.first { $0.rate == rate }?.leftGross ?? 0
            if g > left {
                throw OrderError.conflict("invoice \(invoice.reference) has \(cur.format(max(0, left))) left to credit at \(rateLabel(rate, .en)) VAT, asked for \(cur.format(g))")
            }
        }
    }

    /// The VAT a new credit of `grossByRate` reverses at each rate, by the rule above. Never
    /// throws: phase 2 of a refund books what moved; `check` refuses over-credits beforehand.
    public static func vat(of grossByRate: [Int64: Int64], balances: [Balance]) -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for (rate, g) in grossByRate {
            let b = balances.first { $0.rate == rate }
                ?? Balance(rate: rate, invoicedGross: 0, invoicedVAT: 0, creditedGross: 0, creditedVAT: 0)
            var v: Int64
            if b.creditedGross + g == b.invoicedGross {
                v = b.leftVAT  // the last credit at a rate takes exactly the remainder
            } else {
                v = VAT.contained(inGross: b.creditedGross + g, rate: rate) - b.creditedVAT
            }
            // Never more VAT than is left, never more net than is left (older documents may be off).
            v = min(v, max(0, b.leftVAT), g)
            v = max(v, g - max(0, b.leftNet), 0)
            out[rate] = min(v, g)
        }
        return out
    }

    /// Splits `amount` over the rates in proportion to the gross left uncredited at each
    /// (largest remainder; ties to the higher rate), never more than is left at any rate.
    /// Rates with nothing left get nothing. `amount` must not exceed the total left.
    public static func split(_ amount: Int64, balances: [Balance]) -> [Int64: Int64] {
        let open = balances.filter { $0.leftGross > 0 }
        let total = open.reduce(0) { $0 + $1.leftGross }
        guard total > 0, amount > 0 else { return [:] }
        var shares: [(rate: Int64, share: Int64, rem: Int64, left: Int64)] = open.map { b in
            // amount ≤ 10^14 and left ≤ 10^14: the product needs 128 bits.
            let (q, r) = total.dividingFullWidth(amount.multipliedFullWidth(by: b.leftGross))
            return (b.rate, q, r, b.leftGross)
        }
        var given = shares.reduce(0) { $0 + $1.share }
        let order = shares.indices.sorted { shares[$0].rem != shares[$1].rem ? shares[$0].rem > shares[$1].rem : shares[$0].rate > shares[$1].rate }
        var k = 0
        while given < amount && k < order.count * 2 {
            let i = order[k % order.count]
            if shares[i].share < shares[i].left {
                shares[i].share += 1
                given += 1
            }
            k += 1
        }
        var out: [Int64: Int64] = [:]
        for s in shares where s.share > 0 { out[s.rate] = s.share }
        return out
    }

    /// The VAT in DKK of a new credit note reversing `vat` (in the invoice's currency) of
    /// `invoice`, at the invoice's exchange rate and by the same cumulative rule as the VAT
    /// itself: the DKK VAT of all credits so far is the conversion of all VAT credited so far,
    /// and the credit that reverses the invoice's last VAT takes exactly the rest of its DKK
    /// VAT. Nil for an invoice without an exchange rate (DKK).
    public static func vatDKK(_ vat: Int64, invoice: InvoiceDocument, documents: [InvoiceDocument]) -> Int64? {
        guard let rate = invoice.exchangeRate, let invoiceDKK = invoice.totalVATDKK else { return nil }
        let earlier = documents.filter { $0.kind == .credit_note && $0.creditsInvoice == invoice.number }
        let creditedVAT = earlier.reduce(0) { $0 + $1.breakdown.vat }
        let creditedDKK = earlier.reduce(0) { $0 + ($1.totalVATDKK ?? 0) }
        if creditedVAT + vat == invoice.breakdown.vat { return invoiceDKK - creditedDKK }
        return rate.dkk(creditedVAT + vat, from: invoice.currency) - creditedDKK
    }

    /// What is wrong with the credits against `invoice`, one sentence per rate that credit
    /// notes reverse more gross, net or VAT than the invoice charged, or that is fully credited
    /// without its VAT being reversed exactly. Empty when the rule holds.
    public static func violations(of invoice: InvoiceDocument, documents: [InvoiceDocument]) -> [String] {
        var out: [String] = []
        for b in balances(of: invoice, documents: documents) {
            let at = "invoice \(invoice.reference) at \(rateLabel(b.rate, .en))"
            if b.creditedGross > b.invoicedGross { out.append("\(at): credited gross \(b.creditedGross) > invoiced \(b.invoicedGross)") }
            if b.creditedVAT > b.invoicedVAT { out.append("\(at): credited VAT \(b.creditedVAT) > invoiced \(b.invoicedVAT)") }
            if b.creditedNet > b.invoicedNet { out.append("\(at): credited net \(b.creditedNet) > invoiced \(b.invoicedNet)") }
            if b.creditedVAT < 0 || b.creditedNet < 0 { out.append("\(at): negative credited VAT or net") }
            if b.creditedGross == b.invoicedGross && b.creditedVAT != b.invoicedVAT {
                out.append("\(at): fully credited, but VAT \(b.creditedVAT) reversed of \(b.invoicedVAT)")
            }
        }
        return out
    }

    /// A VAT rate in basis points as people write it: `2500` → `25 %` (Danish) / `25%`
    /// (English); `1250` → `12,5 %` / `12.5%`; `1234` → `12,34 %` / `12.34%`.
    public static func rateLabel(_ rate: Int64, _ language: Language) -> String {
        let whole = rate / 100
        let frac = rate % 100
        let digits = frac == 0 ? "" : frac % 10 == 0 ? String(frac / 10) : frac < 10 ? "0\(frac)" : String(frac)
        let number = digits.isEmpty ? String(whole) : "\(whole)\(language == .da ? "," : ".")\(digits)"
        return language == .da ? "\(number) %" : "\(number)%"
    }
}
