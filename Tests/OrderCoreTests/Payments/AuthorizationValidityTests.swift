import Testing
@testable import OrderCore

@Suite("Authorisation validity table")
struct AuthorizationValidityTests {
    @Test("default days per method", arguments: [
        ("visa", false, 7), ("visa_electron", false, 5), ("mastercard", false, 7), ("mastercard", true, 30),
        ("maestro", false, 7), ("amex", false, 7), ("mobilepay", false, 14), ("dankort", false, 7),
        ("visa_dankort", false, 7), ("klarna", false, 28),
        // No pre-authorisation entry: the method's own figure.
        ("visa", true, 7), ("mobilepay", true, 14),
        // Unknown methods fall back to 7 days.
        ("unknown_method", false, 7), ("unknown_method", true, 7), ("", false, 7), ("VISA", false, 7),
    ] as [(String, Bool, Int64)])
    func defaults(method: String, preauth: Bool, days: Int64) {
        #expect(AuthorizationValidity.defaults.validityDays(method: method, preauthorization: preauth) == days)
    }

    @Test("expiry is the authorisation time plus the validity")
    func expiry() {
        let t = Fixture.t0
        let v = AuthorizationValidity.defaults
        #expect(v.expiry(method: "visa", at: t) == t.adding(days: 7))
        #expect(v.expiry(method: "mobilepay", at: t).iso8601 == "2026-12-12T10:00:00Z")
        #expect(v.expiry(method: "klarna", at: t) == t.adding(days: 28))
        #expect(v.expiry(method: "mastercard", preauthorization: true, at: t) == t.adding(days: 30))
        #expect(v.expiry(method: "something", at: t) == t.adding(days: 7))
    }

    @Test("a custom table overrides entries and the fallback")
    func custom() {
        var days = AuthorizationValidity.defaults.days
        days["visa"] = 10
        days["mobilepay_preauth"] = 3
        let v = AuthorizationValidity(days: days, fallbackDays: 2)
        #expect(v.validityDays(method: "visa") == 10)
        #expect(v.validityDays(method: "mobilepay", preauthorization: true) == 3)
        #expect(v.validityDays(method: "mobilepay") == 14)
        #expect(v.validityDays(method: "nope") == 2)
        #expect(AuthorizationValidity(days: [:]).validityDays(method: "visa") == 7)
    }

    @Test("the JSON form lists methods in sorted order")
    func json() throws {
        let o = try #require(AuthorizationValidity.defaults.json.objectValue)
        #expect(o.keys == o.keys.sorted())
        #expect(o.count == 10)
        #expect(o["klarna"] == .int(28))
        #expect(o["mastercard_preauth"] == .int(30))
    }
}
