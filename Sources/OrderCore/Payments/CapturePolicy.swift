/// When money may be drawn. Denmark's rule (markedsføringsloven § 3, Forbrugerombudsmanden's
/// practice): only once the goods have left the house or been handed over at
/// click-and-collect, and only for what left. Prepayable lines (made to order, digital) are exempt.
public enum CapturePolicy: String, Sendable, CaseIterable {
    /// The Danish default: capture up to the value of handed-over shipments plus prepayable lines.
    case onHandOver = "on_hand_over"
    /// Capture up to the value of created shipments (label printed) plus prepayable lines.
    case onShip = "on_ship"
    /// Capture the whole order at any time (for shops abroad or with prepayment agreements).
    case anytime

    /// The value of goods (and fees) this policy releases for capture on `aggregate`: the
    /// value after discount of the units `releasedUnits` gives, never above the order total.
    public func releasedValue(_ aggregate: OrderAggregate) -> Int64 {
        let units = releasedUnits(aggregate)
        return aggregate.order.lines.reduce(0) { $0 + $1.value(of: units[$1.sku] ?? 0) }
    }

    /// Units per line this policy releases: prepayable goods in full; other goods as far as
    /// they are in qualifying shipments (handed over for `on_hand_over`, created for `on_ship`;
    /// all for `anytime`). A fee line is released whole with the first released goods
    /// (`first_shipment`) or once all goods are released (`last_shipment`); an order of
    /// prepayable goods only releases its fees at once.
    public func releasedUnits(_ aggregate: OrderAggregate) -> [String: Int64] {
        let order = aggregate.order
        var out: [String: Int64] = [:]
        if self == .anytime {
            for l in order.lines { out[l.sku] = l.qty }
            return out
        }
        let qualifying: (Shipment) -> Bool = self == .onHandOver ? { $0.isHandedOver } : { _ in true }
        let shipped = FulfilmentState.shippedQuantities(aggregate.shipments, where: qualifying)
        var any = false
        var all = true
        for l in order.lines where !l.isFee {
            let u = l.prepayable ? l.qty : min(shipped[l.sku] ?? 0, l.qty)
            out[l.sku] = u
            if u > 0 { any = true }
            if u < l.qty { all = false }
        }
        for l in order.lines where l.isFee {
            let released = l.feeRelease == .firstShipment ? any : all
            out[l.sku] = released ? 1 : 0
        }
        return out
    }

    /// How much may be captured now and why: the smaller of what the policy releases minus what
    /// is captured or in flight, and what the authorisations still hold.
    /// With `now`, only authorisations valid at `now` count (expired ones carry nothing).
    public func allowance(_ aggregate: OrderAggregate, inFlight: Int64 = 0, now: Timestamp? = nil) -> CaptureAllowance {
        let released = releasedValue(aggregate)
        let captured = aggregate.payments.captured
        let byPolicy = max(0, released - captured - inFlight)
        let holds = now.map { aggregate.payments.capturable(at: $0) } ?? aggregate.payments.uncaptured
        let byAuthorization = max(0, holds - inFlight)
        return CaptureAllowance(policy: self, released: released, captured: captured, inFlight: inFlight,
                                byPolicy: byPolicy, byAuthorization: byAuthorization)
    }

    /// Refuses a capture of `amount` that exceeds the allowance, with a `policy` error that
    /// names the rule and the amount that may be captured.
    public func check(_ amount: Int64, on aggregate: OrderAggregate, inFlight: Int64 = 0, now: Timestamp? = nil) throws(OrderError) {
        let a = allowance(aggregate, inFlight: inFlight, now: now)
        let cur = aggregate.order.currency
        if amount > a.byAuthorization {
            let expired = now.map { aggregate.payments.expiredAuthorizations(at: $0) } ?? []
            throw OrderError.policy(
                "capture of \(cur.format(amount)) on order \(aggregate.order.number) exceeds what is authorised and not yet captured: "
                    + "at most \(cur.format(a.byAuthorization)) may be captured (authorised \(cur.format(aggregate.payments.authorized)), "
                    + "captured \(cur.format(a.captured)), voided \(cur.format(aggregate.payments.voided))"
                    + (inFlight > 0 ? ", in flight \(cur.format(inFlight)))" : ")")
                    + (expired.isEmpty ? "" : "; expired, carrying nothing: " + expired.map {
                        "authorisation \($0.id) (\($0.method)) of \(cur.format(aggregate.payments.remaining(of: $0)))"
                    }.joined(separator: ", ") + "; ask the customer to pay again (payment.authorize)"))
        }
        if amount > a.byPolicy {
            let what = switch self {
            case .onHandOver: "goods handed over (left the house or handed to the customer)"
            case .onShip: "goods in shipments"
            case .anytime: "the order total"
            }
            throw OrderError.policy(
                "capture of \(cur.format(amount)) on order \(aggregate.order.number) refused by capture policy \(rawValue): "
                    + "\(what) plus prepayable lines are worth \(cur.format(a.released)), \(cur.format(a.captured)) already captured"
                    + (inFlight > 0 ? ", \(cur.format(inFlight)) in flight" : "")
                    + "; at most \(cur.format(a.limit)) may be captured now")
        }
    }
}

/// The result of `CapturePolicy.allowance`: the figures behind a capture decision.
public struct CaptureAllowance: Sendable, Equatable {
    public var policy: CapturePolicy
    /// Value released by the policy.
    public var released: Int64
    public var captured: Int64
    /// Captures recorded but not yet answered by the gateway.
    public var inFlight: Int64
    /// released − captured − in flight (≥ 0).
    public var byPolicy: Int64
    /// authorised − captured − voided − in flight (≥ 0).
    public var byAuthorization: Int64
    /// What may be captured now.
    public var limit: Int64 { min(byPolicy, byAuthorization) }
}
