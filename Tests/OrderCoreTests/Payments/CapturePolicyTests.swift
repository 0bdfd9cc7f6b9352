import Testing
@testable import OrderCore

@Suite("Capture policy")
struct CapturePolicyTests {
    typealias F = Fixture

    /// The furniture order, fully authorised, with the chairs handed over and the sofa and one lamp packed.
    func furniture(payments extra: [PaymentTransaction] = [], shipments: [Shipment] = Fixture.furnitureShipments,
                   authorized: Int64 = Fixture.furnitureTotal) -> OrderAggregate {
        F.aggregate(F.furniture, payments: [F.auth(1, authorized)] + extra, shipments: shipments)
    }

    @Test("policy names")
    func names() {
        #expect(CapturePolicy.allCases.map(\.rawValue) == ["on_hand_over", "on_ship", "anytime"])
        #expect(CapturePolicy(rawValue: "on_hand_over") == .onHandOver)
        #expect(CapturePolicy(rawValue: "onHandOver") == nil)
    }

    @Test("on_hand_over releases handed-over shipments' value plus prepayable lines")
    func onHandOverReleased() {
        let a = furniture()
        // CHAIR 2 × 100.00 handed over + ENGRAVING 59.90 prepayable; the packed sofa and lamp do not count.
        #expect(CapturePolicy.onHandOver.releasedValue(a) == 25_990)
    }

    @Test("on_ship counts created shipments too")
    func onShipReleased() {
        #expect(CapturePolicy.onShip.releasedValue(furniture()) == 20_000 + 89_900 + 3_000 + 5_990)
    }

    @Test("anytime releases the order total")
    func anytimeReleased() {
        #expect(CapturePolicy.anytime.releasedValue(furniture()) == F.furnitureTotal)
        #expect(CapturePolicy.anytime.releasedValue(furniture(shipments: [])) == F.furnitureTotal)
    }

    @Test("without shipments only prepayable lines are released")
    func nothingShipped() {
        let a = furniture(shipments: [])
        #expect(CapturePolicy.onHandOver.releasedValue(a) == 5_990)
        #expect(CapturePolicy.onShip.releasedValue(a) == 5_990)
        let none = F.aggregate([OrderLine(sku: "A", name: "A", qty: 1, unitPrice: 100)], payments: [F.auth(1, 100)])
        #expect(CapturePolicy.onHandOver.releasedValue(none) == 0)
        expectOrderError(.policy, "on_hand_over", "at most 0.00 DKK may be captured now") {
            try CapturePolicy.onHandOver.check(1, on: none)
        }
    }

    @Test("delivered and pickup hand-overs count; shipped units are capped at the ordered quantity")
    func handOverKinds() {
        let shipments = [
            F.shipment(1, [("CHAIR", 5), ("UNKNOWN", 3)], state: .delivered),
            F.shipment(2, [("LAMP", 2)], state: .handed_over, method: .pickup),
            F.shipment(3, [("LAMP", 2)], state: .handed_over, method: .manual),
        ]
        let a = furniture(shipments: shipments)
        // CHAIR capped at 2, LAMP 4 shipped capped at 3, plus engraving.
        #expect(CapturePolicy.onHandOver.releasedValue(a) == 20_000 + 9_000 + 5_990)
        #expect(CapturePolicy.onHandOver.releasedValue(a) <= a.order.total)
    }

    @Test("units of one SKU in several handed-over shipments add up")
    func severalShipments() {
        let a = furniture(shipments: [
            F.shipment(1, [("LAMP", 1)], state: .handed_over),
            F.shipment(2, [("LAMP", 1)], state: .created),
            F.shipment(3, [("LAMP", 1)], state: .delivered),
        ])
        #expect(CapturePolicy.onHandOver.releasedValue(a) == 6_000 + 5_990)
        #expect(CapturePolicy.onShip.releasedValue(a) == 9_000 + 5_990)
    }

    // MARK: - allowance and check

    @Test("the allowance is the released value minus captures, capped by the authorisation")
    func allowance() {
        let a = furniture(payments: [F.capture(2, 10_000, on: 1)])
        let x = CapturePolicy.onHandOver.allowance(a)
        #expect(x.released == 25_990)
        #expect(x.captured == 10_000)
        #expect(x.byPolicy == 15_990)
        #expect(x.byAuthorization == F.furnitureTotal - 10_000)
        #expect(x.limit == 15_990)
        #expect(x.policy == .onHandOver)

        let anytime = CapturePolicy.anytime.allowance(a)
        #expect(anytime.limit == F.furnitureTotal - 10_000)
    }

    @Test("money in flight reduces both limits")
    func inFlight() {
        let a = furniture(payments: [F.capture(2, 10_000, on: 1)])
        let x = CapturePolicy.onHandOver.allowance(a, inFlight: 5_000)
        #expect(x.byPolicy == 10_990)
        #expect(x.byAuthorization == F.furnitureTotal - 15_000)
        #expect(x.limit == 10_990)
        #expect(throws: Never.self) { try CapturePolicy.onHandOver.check(10_990, on: a, inFlight: 5_000) }
        expectOrderError(.policy, "on_hand_over", "50.00 DKK in flight", "at most 109.90 DKK may be captured now") {
            try CapturePolicy.onHandOver.check(10_991, on: a, inFlight: 5_000)
        }
    }

    @Test("byPolicy is never negative, e.g. after capturing more under another policy")
    func neverNegative() {
        let a = furniture(payments: [F.capture(2, 100_000, on: 1)])
        let x = CapturePolicy.onHandOver.allowance(a)
        #expect(x.byPolicy == 0)
        #expect(x.limit == 0)
        let y = CapturePolicy.onHandOver.allowance(a, inFlight: F.furnitureTotal)
        #expect(y.byAuthorization == 0)
    }

    @Test("on_hand_over allows exactly the released value")
    func checkBoundary() {
        let a = furniture()
        #expect(throws: Never.self) { try CapturePolicy.onHandOver.check(25_990, on: a) }
        #expect(throws: Never.self) { try CapturePolicy.onHandOver.check(1, on: a) }
        let e = expectOrderError(.policy, "on_hand_over", "259.90 DKK", "at most 259.90 DKK may be captured now") {
            try CapturePolicy.onHandOver.check(25_991, on: a)
        }
        #expect(e?.message.contains("capture of 259.91 DKK on order 1001") == true)
        #expect(e?.message.contains("handed over") == true)
        #expect(e?.message.contains("in flight") == false)
    }

    @Test("the policy message names the amount still allowed after earlier captures")
    func checkAfterCapture() {
        let a = furniture(payments: [F.capture(2, 10_000, on: 1)])
        expectOrderError(.policy, "refused by capture policy on_hand_over", "worth 259.90 DKK", "100.00 DKK already captured",
                         "at most 159.90 DKK may be captured now") {
            try CapturePolicy.onHandOver.check(30_000, on: a)
        }
    }

    @Test("on_ship refuses beyond the value of created shipments")
    func checkOnShip() {
        let a = furniture()
        #expect(throws: Never.self) { try CapturePolicy.onShip.check(118_890, on: a) }
        expectOrderError(.policy, "on_ship", "goods in shipments", "at most 1188.90 DKK") {
            try CapturePolicy.onShip.check(118_891, on: a)
        }
    }

    @Test("anytime allows the total but never more than authorised − captured")
    func checkAnytime() {
        let a = furniture()
        #expect(throws: Never.self) { try CapturePolicy.anytime.check(F.furnitureTotal, on: a) }
        expectOrderError(.policy, "exceeds what is authorised and not yet captured", "at most 1248.90 DKK") {
            try CapturePolicy.anytime.check(F.furnitureTotal + 1, on: a)
        }
        // Authorised less than the order total: the authorisation is the cap.
        let short = furniture(authorized: 50_000)
        #expect(CapturePolicy.anytime.allowance(short).limit == 50_000)
        expectOrderError(.policy, "at most 500.00 DKK may be captured", "authorised 500.00 DKK") {
            try CapturePolicy.anytime.check(50_001, on: short)
        }
    }

    @Test("the authorisation cap applies under every policy, counting captures and voids")
    func authorisationCap() {
        // Everything handed over, but 300.00 of the authorisation is voided and 100.00 captured.
        let all = [F.shipment(1, [("SOFA", 1), ("CHAIR", 2), ("LAMP", 3)], state: .handed_over)]
        let a = furniture(payments: [F.capture(2, 10_000, on: 1), F.void(3, 30_000, on: 1)], shipments: all)
        let left = F.furnitureTotal - 10_000 - 30_000
        for policy in CapturePolicy.allCases {
            #expect(policy.allowance(a).byAuthorization == left)
            #expect(policy.allowance(a).limit == left)
            #expect(throws: Never.self) { try policy.check(left, on: a) }
            expectOrderError(.policy, "authorised 1248.90 DKK", "captured 100.00 DKK", "voided 300.00 DKK", "at most 848.90 DKK") {
                try policy.check(left + 1, on: a)
            }
        }
    }

    @Test("two authorisations together cap the capture")
    func twoAuthorisations() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, 100_000), F.auth(2, 24_890)],
                            shipments: [F.shipment(1, [("SOFA", 1), ("CHAIR", 2), ("LAMP", 3)], state: .handed_over)])
        #expect(CapturePolicy.onHandOver.allowance(a).limit == F.furnitureTotal)
        #expect(throws: Never.self) { try CapturePolicy.onHandOver.check(F.furnitureTotal, on: a) }
    }

    @Test("amounts are formatted in the order's currency")
    func currencyInMessage() throws {
        var a = furniture()
        a.order.currency = try #require(Currency(code: "EUR"))
        expectOrderError(.policy, "259.90 EUR") { try CapturePolicy.onHandOver.check(30_000, on: a) }
    }
}
