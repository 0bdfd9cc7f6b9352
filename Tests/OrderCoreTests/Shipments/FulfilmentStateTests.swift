import Testing
@testable import OrderCore

@Suite("Shipments and derived fulfilment state")
struct FulfilmentStateTests {
    typealias F = Fixture
    let lines = [OrderLine(sku: "A", name: "A", qty: 2, unitPrice: 100), OrderLine(sku: "B", name: "B", qty: 1, unitPrice: 50)]

    @Test("the fulfilment states are the documented ones")
    func names() {
        #expect(FulfilmentState.allCases.map(\.rawValue) == ["unshipped", "partially_shipped", "shipped", "delivered"])
    }

    @Test("unshipped without shipments")
    func unshipped() {
        #expect(FulfilmentState.derive(lines: lines, shipments: []) == .unshipped)
    }

    @Test("partially shipped while some units are in no shipment, even if those shipped are delivered")
    func partial() {
        #expect(FulfilmentState.derive(lines: lines, shipments: [F.shipment(1, [("A", 2)])]) == .partially_shipped)
        #expect(FulfilmentState.derive(lines: lines, shipments: [F.shipment(1, [("A", 1), ("B", 1)], state: .delivered)]) == .partially_shipped)
    }

    @Test("shipped when every unit is in a shipment; delivered only when every shipment is delivered")
    func shippedAndDelivered() {
        let s1 = F.shipment(1, [("A", 1)], state: .delivered)
        let s2 = F.shipment(2, [("A", 1), ("B", 1)], state: .created)
        #expect(FulfilmentState.derive(lines: lines, shipments: [s1, s2]) == .shipped)
        var s2h = s2
        s2h.state = .handed_over
        #expect(FulfilmentState.derive(lines: lines, shipments: [s1, s2h]) == .shipped)
        var s2d = s2
        s2d.state = .delivered
        #expect(FulfilmentState.derive(lines: lines, shipments: [s1, s2d]) == .delivered)
    }

    @Test("shipped quantities add up per SKU, optionally filtered")
    func quantities() {
        let s = [F.shipment(1, [("A", 1), ("B", 1)], state: .handed_over), F.shipment(2, [("A", 1)])]
        #expect(FulfilmentState.shippedQuantities(s) == ["A": 2, "B": 1])
        #expect(FulfilmentState.shippedQuantities(s) { $0.isHandedOver } == ["A": 1, "B": 1])
        #expect(FulfilmentState.shippedQuantities([]) == [:])
        let a = F.aggregate(lines, shipments: s)
        #expect(a.shippedQuantities == ["A": 2, "B": 1])
        #expect(a.fulfilmentState == .shipped)
    }

    @Test("handed over means the goods left the house: handed_over or delivered")
    func handedOver() {
        #expect(!F.shipment(1, [], state: .created).isHandedOver)
        #expect(F.shipment(1, [], state: .handed_over).isHandedOver)
        #expect(F.shipment(1, [], state: .delivered).isHandedOver)
    }

    @Test("shipment JSON")
    func json() {
        let s = F.shipment(7, [("A", 2)], state: .handed_over)
        #expect(s.json["shipment"] == .int(7))
        #expect(s.json["state"] == .string("handed_over"))
        #expect(s.json["lines"] == [["sku": "A", "qty": 2]])
        #expect(s.json["handed_over_at"] == .string("2026-11-28T11:00:00Z"))
        #expect(s.json["delivered_at"] == nil)
        #expect(s.json.objectValue?.keys.first == "shipment")
    }

    @Test("line quantities: reading and restoring")
    func lineQuantity() throws {
        let p = try ParamReader(try JSONParser.parse(#"{"sku":"A","qty":0}"#), path: "lines[3]")
        expectOrderError(.invalid, "lines[3].qty: 0 is out of range", field: "lines[3].qty") { _ = try LineQuantity(p) }
        let ok = try LineQuantity(try ParamReader(["sku": "A", "qty": 2]))
        #expect(ok == LineQuantity(sku: "A", qty: 2))
        expectOrderError(.invalid, "unknown field", field: "extra") { _ = try LineQuantity(try ParamReader(["sku": "A", "qty": 2, "extra": 1])) }
        #expect(LineQuantity.list(from: [["sku": "A", "qty": 1], ["sku": "B"], ["qty": 1], ["sku": "C", "qty": 3]]) ==
                [LineQuantity(sku: "A", qty: 1), LineQuantity(sku: "C", qty: 3)])
        #expect(LineQuantity.list(from: nil).isEmpty)
    }
}
