import Testing
@testable import OrderCore

@Suite("Timeline events")
struct TimelineEventTests {
    @Test("JSON carries the optional facts only when present")
    func json() {
        let bare = TimelineEvent(id: 1, order: 1001, at: Fixture.t0, actor: "cli", command: "order.create", event: "order.created")
        #expect(bare.json.objectValue?.keys == ["id", "order", "at", "actor", "command", "event"])
        #expect(bare.json["at"] == "2026-11-28T10:00:00Z")

        let full = TimelineEvent(id: 2, order: 1001, at: Fixture.t0, actor: "lua", command: "order.set_status",
                                 event: "order.status_changed", from: "received", to: "shipped", amount: 25_990,
                                 detail: ["shipment": 7])
        #expect(full.json.objectValue?.keys == ["id", "order", "at", "actor", "command", "event", "from", "to", "amount", "detail"])
        #expect(full.json["detail"]?["shipment"] == .int(7))
        #expect(full.json["amount"] == .int(25_990))
    }
}
