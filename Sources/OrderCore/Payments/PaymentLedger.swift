/// An order's payment ledger and everything derived from it: totals per kind, what each
/// authorisation has left, and the payment state.
///
/// Invariants the engine keeps when appending (checked by `allocateCapture` and the commands):
/// per authorisation, captured + voided ≤ authorised; per order, refunded ≤ captured.
public struct PaymentLedger: Sendable, Equatable {
    /// All rows, in the order they were recorded.
    public private(set) var rows: [PaymentTransaction]

    public init(_ rows: [PaymentTransaction] = []) { self.rows = rows }

    /// Appends a row (the store persists it in the same transaction).
    public mutating func append(_ row: PaymentTransaction) { rows.append(row) }

    private func sum(_ kind: PaymentKind) -> Int64 { rows.reduce(0) { $1.kind == kind ? $0 + $1.amount : $0 } }

    /// Total authorised.
    public var authorized: Int64 { sum(.authorize) }
    /// Total captured.
    public var captured: Int64 { sum(.capture) }
    /// Total released by voids.
    public var voided: Int64 { sum(.void) }
    /// Total refunded.
    public var refunded: Int64 { sum(.refund) }

    /// What an authorisation still holds: its amount minus what was captured or voided on it.
    public func remaining(of auth: PaymentTransaction) -> Int64 {
        var r = auth.amount
        for row in rows where row.authorization == auth.id && (row.kind == .capture || row.kind == .void) {
            r -= row.amount
        }
        return r
    }

    /// Authorisations that still hold money, oldest first.
    public var openAuthorizations: [PaymentTransaction] {
        rows.filter { $0.kind == .authorize && remaining(of: $0) > 0 }
    }

    /// Authorised and not yet captured or voided, over all authorisations.
    public var uncaptured: Int64 { openAuthorizations.reduce(0) { $0 + remaining(of: $1) } }

    /// The earliest expiry among open authorisations (what `payment.check` watches).
    public var earliestOpenExpiry: Timestamp? { openAuthorizations.compactMap(\.expiresAt).min() }

    /// The payment state at `now`. Pass `nil` to ignore expiry (the stored, time-independent
    /// state; queries add expiry from `earliestOpenExpiry`).
    public func state(at now: Timestamp?) -> PaymentState {
        let auths = rows.filter { $0.kind == .authorize }
        if auths.isEmpty { return .none }
        let captured = self.captured
        let open = openAuthorizations
        if captured > 0 {
            let refunded = self.refunded
            if refunded > 0 { return refunded >= captured ? .refunded : .partially_refunded }
            return open.isEmpty ? .captured : .partially_captured
        }
        if open.isEmpty { return .voided }
        if let now, open.allSatisfy({ ($0.expiresAt ?? now.adding(seconds: 1)) <= now }) { return .expired }
        return .authorized
    }

    /// Splits a capture of `amount` over open authorisations, valid ones first (oldest first
    /// within each group). Returns `(authorisation id, amount)` pairs, or `nil` when the open
    /// authorisations together hold less than `amount` after `reserved` (captures in flight).
    public func allocateCapture(_ amount: Int64, reserved: Int64 = 0, now: Timestamp) -> [(Int64, Int64)]? {
        guard amount + reserved <= uncaptured else { return nil }
        let open = openAuthorizations
        let ordered = open.filter { ($0.expiresAt ?? now.adding(seconds: 1)) > now } + open.filter { ($0.expiresAt ?? now.adding(seconds: 1)) <= now }
        var skip = reserved
        var left = amount
        var out: [(Int64, Int64)] = []
        for a in ordered where left > 0 {
            var avail = remaining(of: a)
            let s = min(skip, avail)
            skip -= s
            avail -= s
            let take = min(avail, left)
            if take > 0 { out.append((a.id, take)); left -= take }
        }
        return left == 0 ? out : nil
    }

    /// The authorisation that a refund of captured money is booked against: the latest one
    /// with captures (a refund only needs an anchor; the order-level rule is refunded ≤ captured).
    public var refundAnchor: PaymentTransaction? {
        let capturedAuthIds = Set(rows.filter { $0.kind == .capture }.compactMap(\.authorization))
        return rows.last { $0.kind == .authorize && capturedAuthIds.contains($0.id) }
    }
}
