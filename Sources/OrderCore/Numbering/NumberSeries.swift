/// The four gapless number series (orders, invoices, credit notes, returns). Each has a start value and an optional prefix, set with
/// `settings.set` (`order_number_start`, `order_number_prefix`, …). A number is drawn in the
/// same transaction that creates its document, so a rolled-back command leaves no gap.
public enum NumberSeries: String, Sendable, CaseIterable {
    case order
    case invoice
    case credit_note
    /// Returns (`return.create`): settings `return_number_start`, `return_number_prefix`.
    case goodsReturn = "return"

    /// The settings key of the start value, e.g. `invoice_number_start`.
    public var startKey: String { "\(rawValue)_number_start" }
    /// The settings key of the prefix, e.g. `invoice_number_prefix`.
    public var prefixKey: String { "\(rawValue)_number_prefix" }

    /// The default first number.
    public var defaultStart: Int64 { 1 }

    /// The number as printed: prefix + number.
    public static func format(_ number: Int64, prefix: String) -> String { prefix + String(number) }
}
