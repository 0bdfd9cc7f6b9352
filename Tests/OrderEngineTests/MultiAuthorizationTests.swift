import OrderCore
import OrderEngine
import Testing

/// Orders paid with several authorisations (gift card + MobilePay): every capture, void and
/// refund is split per authorisation, each part its own gateway request with that
/// authorisation's reference, method and idempotency key (issue 13, point 1).
@Suite("Payments per authorisation")
struct MultiAuthorizationTests {
    /// Two T-shirts at 199.00 and a mug at 99.00, paid 200.00 by gift card and 297.00 by MobilePay.
    static func splitPaidOrder(_ shop: Shop) throws -> (order: Int64, gift: Int64, mobile: Int64) {
        let n = try shop.createOrder()
        let gift = try #require(shop.call("payment.authorize", ["order": .int(n), "amount": 20_000, "method": "giftcard", "reference": "gc-77"])["authorization"]?.intValue)
        let mobile = try #require(shop.call("payment.authorize", ["order": .int(n), "amount": 29_700, "method": "mobilepay", "reference": "mp-42"])["authorization"]?.intValue)
        return (n, gift, mobile)
    }

    static func expectInvariant(_ shop: Shop, _ n: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let o = try shop.order(n)
        #expect(o["money_difference"]?.intValue == 0, "captured − refunded ≠ invoiced − credited on order \(n): \(o["money_difference"] ?? .null)",
                sourceLocation: sourceLocation)
    }

    @Test("a capture over two authorisations sends two requests, each with its own reference, method and key, and books them so")
    func captureSplit() throws {
        let shop = try Shop()
        let (n, gift, mobile) = try Self.splitPaidOrder(shop)
        try shop.shipAndHandOver(n)
        let r = try shop.capture(n, key: "cap-split")
        #expect(r["captured"]?.intValue == Shop.defaultTotal)
        #expect(r["invoice"]?.intValue == 1)
        #expect(r["parts"]?.count == 2)
        let requests = shop.gateway.approvedRequests(order: n).sorted { $0.idempotencyKey < $1.idempotencyKey }
        #expect(requests.map(\.idempotencyKey) == ["cap-split", "cap-split#2"])
        #expect(requests.map(\.authorizationReference) == ["gc-77", "mp-42"])
        #expect(requests.map(\.method) == ["giftcard", "mobilepay"])
        #expect(requests.map(\.amount) == [20_000, 29_700])
        let captures = try #require(shop.order(n)["payments"]?.arrayValue).filter { $0["kind"]?.stringValue == "capture" }
        #expect(captures.map { $0["authorization"]?.intValue } == [gift, mobile])
        #expect(captures.map { $0["method"]?.stringValue } == ["giftcard", "mobilepay"])
        #expect(Set(captures.compactMap { $0["reference"]?.stringValue }).count == 2)
        try Self.expectInvariant(shop, n)
        // Replaying the key replays the whole group.
        #expect(try shop.capture(n, key: "cap-split")["captured"]?.intValue == Shop.defaultTotal)
        #expect(shop.gateway.approvedCount == 2)
    }

    @Test("a refund goes back through each authorisation within what it captured, one request each; the credit note covers both")
    func refundSplit() throws {
        let shop = try Shop()
        let (n, _, _) = try Self.splitPaidOrder(shop)
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        let r = try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "TSHIRT", "qty": 2]], "reason": "retur"])
        #expect(r["refunded"]?.intValue == 39_800)
        let refunds = shop.gateway.approvedRequests(order: n).filter { $0.operation == .refund }.sorted { $0.idempotencyKey < $1.idempotencyKey }
        #expect(refunds.map(\.authorizationReference) == ["gc-77", "mp-42"])
        #expect(refunds.map(\.amount) == [20_000, 19_800])
        try Self.expectInvariant(shop, n)
        // The host may choose the authorisation: the mug back to MobilePay only.
        let mobileId = try #require(shop.order(n)["payments"]?.arrayValue?.first { $0["method"]?.stringValue == "mobilepay" }?["id"]?.intValue)
        let giftId = mobileId - 1
        try expectRefused(shop, .policy, "cannot be refunded through authorisation \(giftId)") {
            try shop.call("credit_note.create", ["order": .int(n), "reason": "krus", "authorization": .int(giftId)])
        }
        let mug = try shop.call("credit_note.create", ["order": .int(n), "reason": "krus", "authorization": .int(mobileId)])
        #expect(mug["refunded"]?.intValue == 9_900)
        try Self.expectInvariant(shop, n)
    }

    @Test("a void releases every valid authorisation, one request each")
    func voidSplit() throws {
        let shop = try Shop()
        let (n, gift, mobile) = try Self.splitPaidOrder(shop)
        let r = try shop.call("order.cancel", ["order": .int(n)])
        #expect(r["voiding"]?.intValue == Shop.defaultTotal)
        let voids = shop.gateway.approvedRequests(order: n).filter { $0.operation == .void }.sorted { $0.idempotencyKey < $1.idempotencyKey }
        #expect(voids.map(\.authorizationReference) == ["gc-77", "mp-42"])
        let rows = try #require(shop.order(n)["payments"]?.arrayValue).filter { $0["kind"]?.stringValue == "void" }
        #expect(rows.map { $0["authorization"]?.intValue } == [gift, mobile])
        #expect(rows.map { $0["method"]?.stringValue } == ["giftcard", "mobilepay"])
        #expect(try shop.order(n)["payment_state"]?.stringValue == "voided")
        try expectRefused(shop, .policy, "cancelled", "no invoice") { try shop.call("invoice.create", ["order": .int(n)]) }
    }

    @Test("after the MobilePay reservation expired, a new payment replaces it and the capture uses the gift card and the new one")
    func reauthorizeAfterExpiry() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        try shop.call("payment.authorize", ["order": .int(n), "amount": 20_000, "method": "klarna", "reference": "kl-1"])  // 28 days
        try shop.call("payment.authorize", ["order": .int(n), "amount": 29_700, "method": "visa", "reference": "visa-1"])  // 7 days
        shop.clock.advance(days: 9)
        try shop.shipAndHandOver(n)
        let check = try shop.call("payment.check", [:])
        let expired = try #require(check["authorizations"]?.arrayValue?.first { $0["expired"] == true })
        #expect(expired["authorization_reference"]?.stringValue == "visa-1")
        #expect(expired["left_to_collect"]?.intValue == 29_700)
        // Only the valid 200.00 may be captured; the whole order is refused, naming the expired one.
        try expectRefused(shop, .policy, "expired, carrying nothing", "(visa)") { try shop.capture(n, amount: Shop.defaultTotal) }
        try shop.call("payment.authorize", ["order": .int(n), "amount": 29_700, "method": "mobilepay", "reference": "mp-new"])
        let r = try shop.capture(n)
        #expect(r["captured"]?.intValue == Shop.defaultTotal)
        let refs = Set(shop.gateway.approvedRequests(order: n).compactMap(\.authorizationReference))
        #expect(refs == ["kl-1", "mp-new"])
        try Self.expectInvariant(shop, n)
    }

    @Test("a declined part: what went through stays captured, the error says so, and the retry completes the invoice")
    func partDeclined() throws {
        let sim = SimulatedGateway()
        let gate = PartGateway(sim)
        let shop = try Shop(gateway: sim, port: gate)
        let (n, _, _) = try Self.splitPaidOrder(shop)
        try shop.shipAndHandOver(n)
        gate.declineReference = "mp-42"
        expectError(.port, "1 of 2 parts of the capture failed", "declined", "went through") { try shop.capture(n) }
        var o = try shop.order(n)
        #expect(o["captured"]?.intValue == 20_000)
        #expect(o["invoices"]?.count == 0)
        #expect(o["uninvoiced_captured"]?.intValue == 20_000)  // the documented visible state
        gate.declineReference = nil
        let r = try shop.capture(n)
        #expect(r["captured"]?.intValue == 29_700)
        o = try shop.order(n)
        #expect(o["invoices"]?.count == 1)
        #expect(o["invoices"]?[0]?["total"]?.intValue == Shop.defaultTotal)
        try Self.expectInvariant(shop, n)
    }

    @Test("a crash between the parts: reconcile finds the first at the gateway and sends the second, never twice")
    func crashBetweenParts() throws {
        let sim = SimulatedGateway()
        let gate = PartGateway(sim)
        let shop = try Shop(gateway: sim, port: gate)
        let (n, _, _) = try Self.splitPaidOrder(shop)
        try shop.shipAndHandOver(n)
        // The first part reaches the bank but its answer is lost; the process "dies" before the second.
        gate.loseAnswerOf = "gc-77"
        gate.unreachableReference = "mp-42"
        gate.lookupDown = true
        expectError(.port) { try shop.capture(n, key: "cap-crash") }
        #expect(try shop.order(n)["captured"]?.intValue == 0)
        #expect(sim.approvedTotal(order: n, operation: .capture) == 20_000)
        gate.loseAnswerOf = nil
        gate.unreachableReference = nil
        gate.lookupDown = false
        let rec = try shop.call("payment.reconcile")
        #expect(rec["checked"]?.intValue == 2)
        let o = try shop.order(n)
        #expect(o["captured"]?.intValue == Shop.defaultTotal)
        #expect(o["invoices"]?.count == 1)
        #expect(sim.approvedTotal(order: n, operation: .capture) == Shop.defaultTotal)
        #expect(sim.approvedRequests(order: n).filter { $0.operation == .capture }.count == 2)
        try Self.expectInvariant(shop, n)
        #expect(try shop.call("payment.reconcile")["checked"]?.intValue == 0)
    }
}

/// A gateway in front of the simulator that misbehaves per authorisation reference.
final class PartGateway: PaymentGateway, @unchecked Sendable {
    let inner: SimulatedGateway
    private let lock = Locked((decline: String?.none, lose: String?.none, unreachable: String?.none, lookupDown: false))
    init(_ inner: SimulatedGateway) { self.inner = inner }

    var declineReference: String? {
        get { lock.value.decline }
        set { lock.withLock { $0.decline = newValue } }
    }
    var loseAnswerOf: String? {
        get { lock.value.lose }
        set { lock.withLock { $0.lose = newValue } }
    }
    var unreachableReference: String? {
        get { lock.value.unreachable }
        set { lock.withLock { $0.unreachable = newValue } }
    }
    var lookupDown: Bool {
        get { lock.value.lookupDown }
        set { lock.withLock { $0.lookupDown = newValue } }
    }

    func perform(_ request: GatewayRequest) throws -> GatewayOutcome {
        let s = lock.value
        if let r = s.unreachable, request.authorizationReference == r { throw PortFailure("connection refused (test)") }
        if let r = s.decline, request.authorizationReference == r { return .declined(reason: "insufficient funds (test)") }
        let outcome = try inner.perform(request)
        if let r = s.lose, request.authorizationReference == r { throw PortFailure("read timed out (test)") }
        return outcome
    }

    func lookup(idempotencyKey: String) throws -> GatewayOutcome? {
        if lock.value.lookupDown { throw PortFailure("status API down (test)") }
        return try inner.lookup(idempotencyKey: idempotencyKey)
    }
}
