/// How many days an authorisation holds, per payment method (the validity table).
///
/// Defaults (see DOMAIN.md): visa 7, visa_electron 5, mastercard 7 (30 as a
/// pre-authorisation), maestro 7, amex 7, mobilepay 14, dankort 7 (*unverified*: no
/// Dankort-specific figure is published; one provider voids after 5), klarna 28; other
/// methods 7. Shops override any entry with `settings.set {"authorization_validity": {...}}`.
public struct AuthorizationValidity: Sendable, Equatable {
    /// Days per method key; `mastercard_preauth` is the pre-authorisation entry.
    public var days: [String: Int64]
    /// Days for a method not in the table.
    public var fallbackDays: Int64

    /// The default table.
    public static let defaults = AuthorizationValidity(days: [
        "visa": 7, "visa_electron": 5, "mastercard": 7, "mastercard_preauth": 30, "maestro": 7,
        "amex": 7, "mobilepay": 14, "dankort": 7, "visa_dankort": 7, "klarna": 28,
    ], fallbackDays: 7)

    public init(days: [String: Int64], fallbackDays: Int64 = 7) {
        self.days = days
        self.fallbackDays = fallbackDays
    }

    /// Days an authorisation by `method` holds; `preauthorization` picks `<method>_preauth`
    /// when the table has such an entry.
    public func validityDays(method: String, preauthorization: Bool = false) -> Int64 {
        if preauthorization, let d = days["\(method)_preauth"] { return d }
        return days[method] ?? fallbackDays
    }

    /// When an authorisation made at `at` runs out.
    public func expiry(method: String, preauthorization: Bool = false, at: Timestamp) -> Timestamp {
        at.adding(days: validityDays(method: method, preauthorization: preauthorization))
    }

    /// The table as JSON (sorted keys).
    public var json: JSON {
        var o = JSONObject()
        for k in days.keys.sorted() { o[k] = .int(days[k]!) }
        return .object(o)
    }
}
