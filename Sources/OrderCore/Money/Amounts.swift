/// Bounds and checked arithmetic for money amounts (integer minor units).
///
/// Every amount accepted from outside is between 0 and `Amounts.max`, and every quantity
/// between 1 and `Amounts.maxQuantity`, so `qty × unit_price` and sums over an order's lines
/// can never overflow `Int64`; the checked helpers still trap nothing and report `invalid`.
public enum Amounts {
    /// The largest amount accepted: 10^14 minor units (one trillion kroner).
    public static let max: Int64 = 100_000_000_000_000
    /// The largest quantity on one line.
    public static let maxQuantity: Int64 = 1_000_000
    /// The most lines on one order.
    public static let maxLines = 1_000

    /// `a × b`, or an `invalid` error naming `field` when it overflows or exceeds `max`.
    public static func multiply(_ a: Int64, _ b: Int64, field: String) throws(OrderError) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o || r > max { throw OrderError.invalid(field, "amount exceeds the maximum of \(max)") }
        return r
    }

    /// `a + b`, or an `invalid` error naming `field` when it exceeds `max`.
    public static func add(_ a: Int64, _ b: Int64, field: String) throws(OrderError) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        if o || r > max { throw OrderError.invalid(field, "amount exceeds the maximum of \(max)") }
        return r
    }
}
