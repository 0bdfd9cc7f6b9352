import Testing
@testable import OrderCore

@Suite("Payment ledger and derived payment state")
struct PaymentLedgerTests {
    typealias F = Fixture
    let t0 = Fixture.t0

    @Test("the payment states are the documented ones")
    func stateNames() {
        #expect(PaymentState.allCases.map(\.rawValue) ==
                ["none", "authorized", "partially_authorized", "partially_captured", "captured", "partially_refunded", "refunded", "voided", "expired"])
    }

    @Test("totals per kind")
    func totals() {
        let l = PaymentLedger([
            F.auth(1, 10_000), F.auth(2, 5_000), F.capture(3, 4_000, on: 1), F.capture(4, 1_000, on: 2),
            F.void(5, 6_000, on: 1), F.refund(6, 500, on: 1),
        ])
        #expect(l.authorized == 15_000)
        #expect(l.captured == 5_000)
        #expect(l.voided == 6_000)
        #expect(l.refunded == 500)
        #expect(l.uncaptured == 4_000)
        #expect(l.rows.count == 6)
    }

    @Test("none without an authorisation")
    func none() {
        #expect(PaymentLedger().state(at: t0) == .none)
        #expect(PaymentLedger().state(at: nil) == .none)
        #expect(PaymentLedger().uncaptured == 0)
        #expect(PaymentLedger().earliestOpenExpiry == nil)
    }

    @Test("authorized, then partially captured, then captured")
    func captureLifecycle() {
        var l = PaymentLedger([F.auth(1, 10_000)])
        #expect(l.state(at: t0) == .authorized)
        l.append(F.capture(2, 2_500, on: 1))
        #expect(l.state(at: t0) == .partially_captured)
        l.append(F.capture(3, 7_500, on: 1))
        #expect(l.state(at: t0) == .captured)
        #expect(l.uncaptured == 0)
        #expect(l.openAuthorizations.isEmpty)
    }

    @Test("a partial capture with the rest voided is captured")
    func partialCaptureThenVoid() {
        let l = PaymentLedger([F.auth(1, 10_000), F.capture(2, 6_000, on: 1), F.void(3, 4_000, on: 1)])
        #expect(l.state(at: t0) == .captured)
        #expect(l.state(at: nil) == .captured)
    }

    @Test("partially refunded, then refunded")
    func refunds() {
        var l = PaymentLedger([F.auth(1, 10_000), F.capture(2, 10_000, on: 1)])
        l.append(F.refund(3, 3_000, on: 1))
        #expect(l.state(at: t0) == .partially_refunded)
        l.append(F.refund(4, 7_000, on: 1))
        #expect(l.state(at: t0) == .refunded)
        // Refunds do not give the authorisation money back.
        #expect(l.remaining(of: F.auth(1, 10_000)) == 0)
        #expect(l.uncaptured == 0)
    }

    @Test("a refund of a partial capture counts against what was captured")
    func refundOfPartialCapture() {
        let l = PaymentLedger([F.auth(1, 10_000), F.capture(2, 4_000, on: 1), F.refund(3, 4_000, on: 1)])
        #expect(l.state(at: t0) == .refunded)
        let p = PaymentLedger([F.auth(1, 10_000), F.capture(2, 4_000, on: 1), F.refund(3, 1_000, on: 1)])
        #expect(p.state(at: t0) == .partially_refunded)
    }

    @Test("voided when every authorisation was released without capture")
    func voided() {
        let l = PaymentLedger([F.auth(1, 10_000), F.auth(2, 500), F.void(3, 10_000, on: 1), F.void(4, 500, on: 2)])
        #expect(l.state(at: t0) == .voided)
        #expect(l.state(at: t0.adding(days: 100)) == .voided)
        let half = PaymentLedger([F.auth(1, 10_000), F.auth(2, 500), F.void(3, 10_000, on: 1)])
        #expect(half.state(at: t0) == .authorized)
    }

    @Test("expired once every open authorisation has run out, judged at a time")
    func expired() {
        let expiry = t0.adding(days: 7)  // visa
        let l = PaymentLedger([F.auth(1, 10_000, method: "visa")])
        #expect(l.earliestOpenExpiry == expiry)
        #expect(l.state(at: expiry.adding(seconds: -1)) == .authorized)
        #expect(l.state(at: expiry) == .expired)
        #expect(l.state(at: expiry.adding(days: 30)) == .expired)
        // Without a time, expiry is ignored (the stored state).
        #expect(l.state(at: nil) == .authorized)
    }

    @Test("not expired while any open authorisation is still valid")
    func partlyExpired() {
        let l = PaymentLedger([F.auth(1, 10_000, method: "visa"), F.auth(2, 2_000, method: "mobilepay")])
        #expect(l.earliestOpenExpiry == t0.adding(days: 7))
        #expect(l.state(at: t0.adding(days: 10)) == .authorized)
        #expect(l.state(at: t0.adding(days: 14)) == .expired)
        // A fully captured authorisation no longer counts for the earliest expiry.
        let c = PaymentLedger([F.auth(1, 10_000, method: "visa"), F.auth(2, 2_000, method: "mobilepay"), F.capture(3, 10_000, on: 1)])
        #expect(c.earliestOpenExpiry == t0.adding(days: 14))
    }

    @Test("an authorisation without an expiry never expires")
    func noExpiry() {
        let a = PaymentTransaction(id: 1, kind: .authorize, amount: 100, method: "invoice", at: t0, expiresAt: nil)
        let l = PaymentLedger([a])
        #expect(l.state(at: t0.adding(days: 10_000)) == .authorized)
        #expect(l.earliestOpenExpiry == nil)
    }

    @Test("remaining counts captures and voids on that authorisation only")
    func remaining() {
        let a1 = F.auth(1, 10_000), a2 = F.auth(2, 5_000)
        let l = PaymentLedger([a1, a2, F.capture(3, 2_000, on: 1), F.void(4, 1_000, on: 1), F.capture(5, 5_000, on: 2), F.refund(6, 2_000, on: 1)])
        #expect(l.remaining(of: a1) == 7_000)
        #expect(l.remaining(of: a2) == 0)
        #expect(l.openAuthorizations.map(\.id) == [1])
        #expect(l.uncaptured == 7_000)
    }

    // MARK: - allocateCapture

    @Test("a capture is split over two authorisations, oldest first")
    func allocateAcrossTwo() throws {
        let l = PaymentLedger([F.auth(1, 10_000), F.auth(2, 5_000, at: t0.adding(seconds: 60))])
        let parts = try #require(l.allocateCapture(12_000, now: t0))
        #expect(parts.map(\.0) == [1, 2])
        #expect(parts.map(\.1) == [10_000, 2_000])
        let small = try #require(l.allocateCapture(3_000, now: t0))
        #expect(small.map(\.0) == [1])
        #expect(small.map(\.1) == [3_000])
        let all = try #require(l.allocateCapture(15_000, now: t0))
        #expect(all.map(\.1) == [10_000, 5_000])
    }

    @Test("allocation uses what earlier captures left")
    func allocateAfterCapture() throws {
        let l = PaymentLedger([F.auth(1, 10_000), F.auth(2, 5_000), F.capture(3, 9_000, on: 1)])
        let parts = try #require(l.allocateCapture(3_000, now: t0))
        #expect(parts.map(\.0) == [1, 2])
        #expect(parts.map(\.1) == [1_000, 2_000])
        #expect(l.allocateCapture(6_001, now: t0) == nil)
    }

    @Test("expired authorisations carry nothing: only valid ones are drawn")
    func allocateValidOnly() throws {
        // Auth 1 (visa, 7 days) has expired at now; auth 2 (mobilepay, 14 days) is still valid.
        let now = t0.adding(days: 8)
        let l = PaymentLedger([F.auth(1, 10_000, method: "visa"), F.auth(2, 5_000, method: "mobilepay")])
        let a = try #require(l.allocateCapture(3_000, now: now))
        #expect(a.map(\.0) == [2])
        #expect(a.map(\.1) == [3_000])
        #expect(l.allocateCapture(7_000, now: now) == nil)
        #expect(l.capturable(at: now) == 5_000)
        #expect(l.committed(at: now) == 5_000)
        #expect(l.expiredAuthorizations(at: now).map(\.id) == [1])
        #expect(l.allocateCapture(1_000, now: now, only: 1) == nil)
    }

    @Test("refunds go back through the authorisations that captured, oldest first, within what each captured")
    func allocateRefund() throws {
        let l = PaymentLedger([F.auth(1, 10_000, method: "giftcard"), F.auth(2, 5_000, method: "mobilepay"),
                               F.capture(3, 10_000, on: 1), F.capture(4, 3_000, on: 2), F.refund(5, 4_000, on: 1)])
        let parts = try #require(l.allocateRefund(8_000))
        #expect(parts.map(\.0) == [1, 2])
        #expect(parts.map(\.1) == [6_000, 2_000])
        #expect(l.allocateRefund(9_001) == nil)
        #expect(try #require(l.allocateRefund(3_000, only: 2)).map(\.1) == [3_000])
        #expect(l.allocateRefund(3_001, only: 2) == nil)
        #expect(try #require(l.allocateRefund(1_000, reserved: [1: 6_000])).map(\.0) == [2])
    }

    @Test("more than the open authorisations hold is refused with nil")
    func allocateTooMuch() {
        let l = PaymentLedger([F.auth(1, 10_000), F.auth(2, 5_000), F.void(3, 5_000, on: 2)])
        #expect(l.allocateCapture(10_001, now: t0) == nil)
        #expect(l.allocateCapture(10_000, now: t0) != nil)
        #expect(PaymentLedger().allocateCapture(1, now: t0) == nil)
    }

    @Test("reserved (in-flight) money is skipped before allocating")
    func allocateWithReserved() throws {
        let l = PaymentLedger([F.auth(1, 10_000), F.auth(2, 5_000)])
        let parts = try #require(l.allocateCapture(8_000, reserved: [1: 4_000], now: t0))
        #expect(parts.map(\.0) == [1, 2])
        #expect(parts.map(\.1) == [6_000, 2_000])
        let skipFirst = try #require(l.allocateCapture(1_000, reserved: [1: 10_000], now: t0))
        #expect(skipFirst.map(\.0) == [2])
        #expect(skipFirst.map(\.1) == [1_000])
        #expect(l.allocateCapture(11_001, reserved: [1: 4_000], now: t0) == nil)
        #expect(l.allocateCapture(11_000, reserved: [1: 4_000], now: t0) != nil)
    }

    @Test("allocations always sum to the amount and never exceed any authorisation")
    func allocateProperty() {
        var rng = SplitMix64(seed: 5)
        var failures: [String] = []
        for _ in 0..<500 {
            let n = Int.random(in: 1...4, using: &rng)
            var rows: [PaymentTransaction] = []
            for k in 0..<n {
                rows.append(F.auth(Int64(k + 1), Int64.random(in: 1...10_000, using: &rng),
                                   method: ["visa", "mobilepay", "klarna"].randomElement(using: &rng)!))
            }
            let l = PaymentLedger(rows)
            let amount = Int64.random(in: 1...(l.uncaptured + 10), using: &rng)
            let now = t0.adding(days: Int64.random(in: 0...30, using: &rng))
            let parts = l.allocateCapture(amount, now: now)
            let valid = l.capturable(at: now)
            if amount > valid {
                if parts != nil { failures.append("allocated \(amount) > \(valid) valid") }
                continue
            }
            guard let parts else { failures.append("refused \(amount) ≤ \(valid)"); continue }
            if parts.reduce(0, { $0 + $1.1 }) != amount { failures.append("sum != \(amount)") }
            for (id, part) in parts {
                let auth = rows.first { $0.id == id }!
                if part <= 0 || part > auth.amount { failures.append("part \(part) of auth \(id)") }
                if !l.isValid(auth, at: now) { failures.append("expired auth \(id) drawn") }
            }
            if Set(parts.map(\.0)).count != parts.count { failures.append("auth used twice") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("transaction JSON names its fields")
    func transactionJSON() {
        let a = F.auth(1, 10_000)
        #expect(a.json.objectValue?.keys == ["id", "kind", "amount", "method", "reference", "at", "expires_at"])
        #expect(a.json["expires_at"] == .string("2026-12-05T10:00:00Z"))
        let c = F.capture(2, 500, on: 1)
        #expect(c.json["authorization"] == .int(1))
        #expect(c.json["idempotency_key"] == .string("cap-2"))
        #expect(c.json["reference"] == .null)
        #expect(c.json["kind"] == .string("capture"))
    }
}
