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

    /// When an authorised order's payment becomes `expired`: the latest expiry among its open
    /// authorisations, or nil when none is open or one of them never expires (no expiry). The
    /// one source of the expiry rule: `state(at:)` applies it, and the stores keep it as the
    /// derived column `auth_valid_until` that `order.find` filters and summarises from.
    public var authorizationsValidUntil: Timestamp? {
        let open = openAuthorizations
        var latest: Timestamp?
        for a in open {
            guard let e = a.expiresAt else { return nil }
            if latest.map({ e > $0 }) ?? true { latest = e }
        }
        return latest
    }

    /// The payment state at `now` of an order whose time-independent state is `stored` and
    /// whose authorisations are valid until `validUntil` (`authorizationsValidUntil`): an
    /// authorised order is `expired` once `validUntil` has passed. Used by `state(at:)` and by
    /// order summaries read from the derived columns, so both say the same.
    public static func state(stored: PaymentState, validUntil: Timestamp?, at now: Timestamp?) -> PaymentState {
        if stored == .authorized || stored == .partially_authorized, let now, let validUntil, validUntil <= now { return .expired }
        return stored
    }

    /// The payment state at `now`. Pass `nil` to ignore expiry (the stored, time-independent
    /// state; queries add expiry from the stored `authorizationsValidUntil`).
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
        return Self.state(stored: .authorized, validUntil: authorizationsValidUntil, at: now)
    }

    // MARK: - Per authorisation

    /// Whether `auth` can still carry a capture or void at `now`: not expired (an authorisation
    /// without an expiry never expires). Expired and fully voided authorisations carry nothing.
    public func isValid(_ auth: PaymentTransaction, at now: Timestamp) -> Bool {
        auth.kind == .authorize && (auth.expiresAt.map { $0 > now } ?? true)
    }

    /// Open authorisations still valid at `now`, oldest first: what captures and voids split over.
    public func validAuthorizations(at now: Timestamp) -> [PaymentTransaction] {
        openAuthorizations.filter { isValid($0, at: now) }
    }

    /// Open authorisations that expired before `now` with money still reserved on paper: they
    /// carry nothing and do not count against the order total.
    public func expiredAuthorizations(at now: Timestamp) -> [PaymentTransaction] {
        openAuthorizations.filter { !isValid($0, at: now) }
    }

    /// What the valid authorisations still hold at `now`: the most that may be captured.
    public func capturable(at now: Timestamp) -> Int64 {
        validAuthorizations(at: now).reduce(0) { $0 + remaining(of: $1) }
    }

    /// Captured and validly authorised: what counts against the order total when a new
    /// authorisation is recorded (expired and voided money does not).
    public func committed(at now: Timestamp) -> Int64 { captured + capturable(at: now) }

    /// Captured on `auth`.
    public func captured(on auth: PaymentTransaction) -> Int64 {
        rows.reduce(0) { $1.kind == .capture && $1.authorization == auth.id ? $0 + $1.amount : $0 }
    }

    /// Refunded on `auth`.
    public func refunded(on auth: PaymentTransaction) -> Int64 {
        rows.reduce(0) { $1.kind == .refund && $1.authorization == auth.id ? $0 + $1.amount : $0 }
    }

    /// Captured and not yet refunded on `auth`: the most a refund may send back through it.
    public func refundable(on auth: PaymentTransaction) -> Int64 { captured(on: auth) - refunded(on: auth) }

    /// The authorisation row `id`.
    public func authorization(_ id: Int64) -> PaymentTransaction? { rows.first { $0.id == id && $0.kind == .authorize } }

    /// Splits a capture of `amount` over the authorisations valid at `now`, **oldest first**
    /// (or only `only` when the host names one), each part within what that authorisation
    /// still holds after `reserved` (parts in flight, per authorisation id). Returns
    /// `(authorisation id, amount)` pairs, or `nil` when they together hold less.
    public func allocateCapture(_ amount: Int64, reserved: [Int64: Int64] = [:], now: Timestamp, only: Int64? = nil) -> [(Int64, Int64)]? {
        let candidates = validAuthorizations(at: now).filter { only == nil || $0.id == only }
        return PaymentLedger.allocate(amount, over: candidates.map { ($0.id, remaining(of: $0) - (reserved[$0.id] ?? 0)) })
    }

    /// Splits a refund of `amount` over the authorisations with captured money not yet
    /// refunded, **oldest first** (or only `only`), each part within what was captured on that
    /// authorisation minus what was refunded or is in flight (`reserved`). Expiry does not
    /// matter: captured money is refunded through the authorisation that drew it.
    public func allocateRefund(_ amount: Int64, reserved: [Int64: Int64] = [:], only: Int64? = nil) -> [(Int64, Int64)]? {
        let candidates = rows.filter { $0.kind == .authorize && (only == nil || $0.id == only) }
        return PaymentLedger.allocate(amount, over: candidates.map { ($0.id, refundable(on: $0) - (reserved[$0.id] ?? 0)) })
    }

    /// Greedy split of `amount` over `(id, available)` in the given order.
    static func allocate(_ amount: Int64, over available: [(Int64, Int64)]) -> [(Int64, Int64)]? {
        var left = amount
        var out: [(Int64, Int64)] = []
        for (id, avail) in available where left > 0 && avail > 0 {
            let take = min(avail, left)
            out.append((id, take))
            left -= take
        }
        return left == 0 && amount > 0 ? out : nil
    }
}
