/// The payment state of an order, derived from its ledger (never set by hand).
public enum PaymentState: String, Sendable, CaseIterable {
    case none, authorized, partially_captured, captured, partially_refunded, refunded, voided, expired
}
