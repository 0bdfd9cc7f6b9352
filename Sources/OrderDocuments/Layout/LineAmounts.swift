import OrderCore

/// The net and VAT of each line such that the lines at one rate add up exactly to that rate's
/// row of the document's VAT breakdown (which computes the VAT once per rate, see `VAT`).
///
/// Each line's VAT is first computed on its own total; the few øre by which their sum differs
/// from the rate's VAT are moved to the largest line at that rate. So the per-line figures a
/// PDF prints and the line amounts of the e-invoice both sum to the stated taxable amount.
public struct LineAmounts: Sendable, Equatable {
    public var net: Int64
    public var vat: Int64
    /// The line's discount excluding VAT (VAT included in `InvoiceLine.discount`), ≥ 0 for a
    /// discount; `net + discountNet` is the line's value before discount, excluding VAT.
    public var discountNet: Int64 = 0

    /// One entry per line of `lines`, in order.
    public static func allocate(_ lines: [InvoiceLine]) -> [LineAmounts] {
        var result = lines.map { LineAmounts(net: $0.net, vat: $0.vat, discountNet: VAT.net(ofGross: $0.discount, rate: $0.vatRate)) }
        let breakdown = VATBreakdown(lines.map { ($0.gross, $0.vatRate) })
        for row in breakdown.rows {
            let idx = lines.indices.filter { lines[$0].vatRate == row.rate }
            let vatSum = idx.reduce(0) { $0 + result[$1].vat }
            let diff = row.vat - vatSum
            guard diff != 0, let big = idx.max(by: { lines[$0].gross.magnitude < lines[$1].gross.magnitude }) else { continue }
            result[big].vat += diff
            result[big].net -= diff
        }
        return result
    }
}
