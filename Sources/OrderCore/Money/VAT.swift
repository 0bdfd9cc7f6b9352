/// VAT arithmetic on VAT-inclusive prices, exactly in integers.
///
/// **Rounding rule.** Prices include VAT. For a gross amount `g` (minor units) at rate `r`
/// (basis points, `2500` = 25 %), the VAT contained is
///
///     vat = round_half_away_from_zero(g × r / (10000 + r))
///
/// and the net amount is `g − vat`, so net + VAT always equals the gross exactly. On orders,
/// invoices and credit notes the VAT is computed **once per rate on the sum of the lines at
/// that rate** (as an invoice states "taxable amount per rate"), not per line; per-line VAT
/// figures are shown for information and are computed with the same rule on the line total.
///
/// Example: 100.00 kr. at 25 % holds 20.00 kr. VAT; 0.01 kr. at 25 % holds 0.00 (0.002 rounds
/// down); 0.03 kr. at 25 % holds 0.01 (0.006 rounds up).
public enum VAT {
    /// The largest VAT rate accepted, in basis points (100 %).
    public static let maxRate: Int64 = 10_000

    /// The VAT contained in a VAT-inclusive `gross` at `rate` basis points, rounded half away
    /// from zero. Works for negative amounts symmetrically. `gross` must be within
    /// `±Amounts.max` and `rate` within `0...maxRate`, so the product cannot overflow.
    public static func contained(inGross gross: Int64, rate: Int64) -> Int64 {
        precondition(rate >= 0 && rate <= maxRate, "VAT rate out of range")
        let num = gross.magnitude * UInt64(rate)
        let den = UInt64(10_000 + rate)
        let q = num / den
        let r = num % den
        let rounded = r * 2 >= den ? q + 1 : q
        return gross < 0 ? -Int64(rounded) : Int64(rounded)
    }

    /// The net (VAT-exclusive) part of `gross`: `gross − contained(inGross:rate:)`.
    public static func net(ofGross gross: Int64, rate: Int64) -> Int64 {
        gross - contained(inGross: gross, rate: rate)
    }
}

/// The VAT breakdown of a set of VAT-inclusive amounts: one row per rate, in ascending rate.
public struct VATBreakdown: Sendable, Equatable {
    /// One rate's totals.
    public struct Row: Sendable, Equatable {
        /// Basis points.
        public var rate: Int64
        /// The taxable (net) amount at this rate.
        public var net: Int64
        /// The VAT at this rate.
        public var vat: Int64
        /// net + vat.
        public var gross: Int64
    }

    /// Rows by ascending rate.
    public var rows: [Row]
    /// Sum of gross amounts.
    public var gross: Int64 { rows.reduce(0) { $0 + $1.gross } }
    /// Sum of VAT amounts.
    public var vat: Int64 { rows.reduce(0) { $0 + $1.vat } }
    /// Sum of net amounts.
    public var net: Int64 { rows.reduce(0) { $0 + $1.net } }

    /// Groups `(gross, rate)` pairs by rate and applies the rounding rule once per rate.
    public init(_ items: [(gross: Int64, rate: Int64)]) {
        self.init(items, fixedVAT: nil)
    }

    /// Groups `(gross, rate)` pairs by rate; the VAT at a rate is `fixedVAT[rate]` when given
    /// (a credit note's VAT by `CreditRule`), else the rounding rule once on the rate's sum.
    public init(_ items: [(gross: Int64, rate: Int64)], fixedVAT: [Int64: Int64]?) {
        var sums: [Int64: Int64] = [:]
        for it in items { sums[it.rate, default: 0] += it.gross }
        rows = sums.keys.sorted().map { rate in
            let g = sums[rate]!
            let v = fixedVAT?[rate] ?? VAT.contained(inGross: g, rate: rate)
            return Row(rate: rate, net: g - v, vat: v, gross: g)
        }
    }
}
