import OrderCore
import OrderEngine
import Synchronization
import Testing

/// A gateway port that forwards to a simulator, records every request and declares partial
/// voids supported or not: what a real gateway of either kind would see.
final class RecordingGateway: PaymentGateway {
    let simulator: SimulatedGateway
    let partialVoid: Bool
    let requests = Mutex<[GatewayRequest]>([])

    init(_ simulator: SimulatedGateway, partialVoid: Bool) {
        self.simulator = simulator
        self.partialVoid = partialVoid
    }

    var identity: String? { simulator.identity }
    var supportsPartialVoid: Bool { partialVoid }
    var voids: [GatewayRequest] { requests.withLock { $0.filter { $0.operation == .void } } }

    func perform(_ request: GatewayRequest) throws -> GatewayOutcome {
        requests.withLock { $0.append(request) }
        return try simulator.perform(request)
    }

    func lookup(idempotencyKey: String) throws -> GatewayOutcome? { try simulator.lookup(idempotencyKey: idempotencyKey) }
}

/// Partial void (issue 14): after `order.edit` lowers the total, a gateway that can release
/// part of an authorisation gets the surplus released as its own effect; one that cannot keeps
/// it reserved and the capture simply takes less. A valid authorisation is never cancelled.
@Suite("Partial void after an edit")
struct PartialVoidTests {
    private static let lowerMugless: JSON = ["set_qty": [["sku": "TSHIRT", "qty": 1]], "reason": "Kunden ringede"]

    private func edit(_ shop: Shop, _ n: Int64) throws -> JSON {
        var p = PartialVoidTests.lowerMugless.objectValue ?? [:]
        p["order"] = .int(n)
        return try shop.call("order.edit", .object(p))
    }

    /// A shop whose gateway port records requests, with a paid default order edited down.
    private func editedDown(partialVoid: Bool) throws -> (Shop, RecordingGateway, Int64, JSON) {
        let sim = SimulatedGateway()
        let port = RecordingGateway(sim, partialVoid: partialVoid)
        let shop = try Shop(gateway: sim, port: port)
        let n = try shop.paidOrder()
        return (shop, port, n, try edit(shop, n))
    }

    @Test("with support: the surplus is released by a partial void, the authorisation stays valid for the capture")
    func released() throws {
        let (shop, port, n, r) = try editedDown(partialVoid: true)
        #expect(r["releasing"]?.intValue == 19_900)
        let effect = try #require(r["effects"]?.arrayValue?.first)
        #expect(effect["kind"]?.stringValue == "void")
        #expect(effect["ok"]?.boolValue == true)
        let void = try #require(port.voids.first)
        #expect(void.partial && void.amount == 19_900)
        #expect(void.json["partial"]?.boolValue == true)
        let o = try shop.order(n)
        #expect(o["voided"]?.intValue == 19_900)
        #expect(o["payment_state"]?.stringValue == "authorized")
        #expect(o["left_to_authorize"]?.intValue == 0)
        _ = try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == 29_800)
        let after = try shop.order(n)
        #expect(after["payment_state"]?.stringValue == "captured")
        #expect(after["money_difference"]?.intValue == 0)
    }

    @Test("without support: nothing is sent to the gateway, the surplus stays reserved and the capture takes less")
    func notSupported() throws {
        let (shop, port, n, r) = try editedDown(partialVoid: false)
        #expect(r["releasing"]?.intValue == 0)
        #expect(r["authorized_surplus"]?.intValue == 19_900)
        #expect(port.voids.isEmpty)
        #expect(try shop.order(n)["voided"]?.intValue == 0)
        _ = try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == 29_800)
    }

    @Test("a refused partial void leaves the edit standing and the money reserved; the capture still takes the new total")
    func declined() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        shop.gateway.setBehaviour(.decline, order: n, operation: .void)
        let r = try edit(shop, n)
        #expect(r["total"]?.intValue == 29_800)
        let effect = try #require(r["effects"]?.arrayValue?.first)
        #expect(effect["ok"]?.boolValue == false)
        #expect(effect["error"]?["code"]?.stringValue == "port")
        let o = try shop.order(n)
        #expect(o["total"]?.intValue == 29_800)
        #expect(o["voided"]?.intValue == 0)
        #expect(try shop.timeline(n).contains { $0["event"]?.stringValue == "payment.void_failed" })
        shop.gateway.setBehaviour(.approve, order: n, operation: .void)
        _ = try shop.shipAndHandOver(n)
        #expect(try shop.capture(n)["captured"]?.intValue == 29_800)
    }

    @Test("a user's payment.void is never sent as partial, and a higher total releases nothing")
    func fullVoidAndHigherTotal() throws {
        let sim = SimulatedGateway()
        let port = RecordingGateway(sim, partialVoid: true)
        let shop = try Shop(gateway: sim, port: port)
        let n = try shop.paidOrder()
        let r = try shop.call("order.edit", ["order": .int(n), "add_lines": [Shop.line("PRESS", "Presskande", qty: 1, price: 29_900)],
                                             "reason": "Tilføjet presskande"])
        #expect(r["releasing"]?.intValue == 0)
        #expect(port.voids.isEmpty)
        _ = try shop.call("payment.void", ["order": .int(n)])
        let void = try #require(port.voids.first)
        #expect(!void.partial && void.amount == Shop.defaultTotal)
        #expect(void.json["partial"] == nil)
    }
}
