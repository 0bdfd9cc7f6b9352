/// The payment state of an order, derived from its ledger and total (never set by hand).
///
/// `partially_authorized`: the order is authorised but its open authorisations hold less than
/// its total (the total grew after checkout, `order.edit`) and nothing is captured yet; the
/// difference is `left_to_authorize`. It is stored like every other state, so `order.find`
/// filters on it and `payment.check` lists such orders. Like `authorized`, it reads `expired`
/// once every open authorisation has run out.
public enum PaymentState: String, Sendable, CaseIterable {
    case none, authorized, partially_authorized, partially_captured, captured, partially_refunded, refunded, voided, expired
}
