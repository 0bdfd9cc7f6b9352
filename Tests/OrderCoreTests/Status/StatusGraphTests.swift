import Testing
@testable import OrderCore

@Suite("Status graph")
struct StatusGraphTests {
    let g = StatusGraph.defaults

    static let documented: [String: Set<String>] = [
        "pending_payment": ["received", "cancelled"],
        "received": ["processing", "shipped", "ready_for_pickup", "cancelled"],
        "processing": ["shipped", "ready_for_pickup", "received", "cancelled"],
        "shipped": ["delivered", "returned"],
        "ready_for_pickup": ["picked_up", "cancelled"],
        "picked_up": ["returned"],
        "delivered": ["returned"],
        "cancelled": [],
        "returned": [],
    ]

    @Test("the default statuses, in display order, with Danish and English labels")
    func defaults() {
        let expected: [(String, String, String)] = [
            ("pending_payment", "Ikke modtaget", "Payment not received"), ("received", "Ikke behandlet", "Not processed"),
            ("processing", "Under behandling", "Processing"), ("shipped", "Afsendt", "Shipped"),
            ("ready_for_pickup", "Klar til afhentning", "Ready for pickup"), ("picked_up", "Afhentet", "Picked up"),
            ("delivered", "Leveret", "Delivered"), ("cancelled", "Annulleret", "Cancelled"), ("returned", "Returneret", "Returned"),
        ]
        #expect(g.order == expected.map(\.0))
        #expect(g.all.map(\.key) == expected.map(\.0))
        for (key, da, en) in expected {
            #expect(g[key]?.label(.da) == da)
            #expect(g[key]?.label(.en) == en)
            #expect(g[key]?.builtIn == true)
            #expect(StatusDefinition.isValidKey(key))
        }
        #expect(StatusGraph.initialStatus == "pending_payment")
        #expect(g[StatusGraph.initialStatus] != nil)
    }

    @Test("the default transitions are exactly the documented ones")
    func transitions() {
        for (from, targets) in Self.documented {
            #expect(Set(g[from]?.transitions ?? ["<missing>"]) == targets, "transitions from \(from)")
            for to in Self.documented.keys {
                #expect(g.allows(from: from, to: to) == targets.contains(to), "\(from) → \(to)")
            }
        }
    }

    @Test("every allowed default transition passes checkTransition")
    func allowedPass() throws {
        for (from, targets) in Self.documented {
            for to in targets { try g.checkTransition(from: from, to: to, order: 1) }
        }
    }

    @Test("an illegal transition is a policy error naming both statuses and the allowed ones")
    func illegal() {
        let e = expectOrderError(.policy, "order 1001", "'shipped'", "'received'", "delivered, returned", field: "status") {
            try g.checkTransition(from: "shipped", to: "received", order: 1001)
        }
        #expect(e?.message == "order 1001 cannot move from 'shipped' to 'received'; from 'shipped' it may move to: delivered, returned")
        // A status to itself is not an edge.
        expectOrderError(.policy, "cannot move from 'received' to 'received'") {
            try g.checkTransition(from: "received", to: "received", order: 1)
        }
    }

    @Test("a final status allows nothing")
    func finalStatus() {
        expectOrderError(.policy, "'cancelled'", "'processing'", "nothing (final status)", field: "status") {
            try g.checkTransition(from: "cancelled", to: "processing", order: 7)
        }
        expectOrderError(.policy, "nothing (final status)") { try g.checkTransition(from: "returned", to: "shipped", order: 7) }
    }

    @Test("an unknown target is not_found, listing the known statuses")
    func unknownTarget() {
        let e = expectOrderError(.notFound, "unknown status 'sent'", "pending_payment, received, processing", field: "status") {
            try g.checkTransition(from: "received", to: "sent", order: 1)
        }
        #expect(e?.message.hasPrefix("status: ") == true)
        // Checked before the edge, even from a final status.
        expectOrderError(.notFound) { try g.checkTransition(from: "cancelled", to: "Shipped", order: 1) }
    }

    @Test("an unknown current status allows nothing")
    func unknownFrom() {
        #expect(!g.allows(from: "nope", to: "received"))
        expectOrderError(.policy, "nothing (final status)") { try g.checkTransition(from: "nope", to: "received", order: 1) }
    }

    @Test("custom statuses and transitions extend the graph")
    func custom() throws {
        var graph = StatusGraph.defaults
        graph.upsert(StatusDefinition(key: "awaiting_stock", labels: [.da: "Afventer lager", .en: "Awaiting stock"], transitions: ["processing"]))
        graph.addTransition(from: "received", to: "awaiting_stock")
        graph.addTransition(from: "received", to: "awaiting_stock")  // no duplicate edge
        graph.addTransition(from: "no_such", to: "received")          // ignored
        #expect(graph.order.last == "awaiting_stock")
        #expect(graph.order.count == 10)
        #expect(graph["received"]?.transitions.filter { $0 == "awaiting_stock" }.count == 1)
        #expect(graph["no_such"] == nil)
        try graph.checkTransition(from: "received", to: "awaiting_stock", order: 1)
        try graph.checkTransition(from: "awaiting_stock", to: "processing", order: 1)
        expectOrderError(.policy, "from 'awaiting_stock' it may move to: processing") {
            try graph.checkTransition(from: "awaiting_stock", to: "shipped", order: 1)
        }
        // Replacing a definition keeps its position.
        graph.upsert(StatusDefinition(key: "received", labels: [.en: "New"], transitions: []))
        #expect(graph.order.firstIndex(of: "received") == 1)
        #expect(graph["received"]?.label(.da) == "New")  // falls back to English
        #expect(graph != StatusGraph.defaults)
    }

    @Test("labels fall back to English, then the key")
    func labelFallback() {
        #expect(StatusDefinition(key: "k", labels: [.en: "E"], transitions: []).label(.da) == "E")
        #expect(StatusDefinition(key: "k", labels: [:], transitions: []).label(.da) == "k")
        #expect(StatusDefinition(key: "k", labels: [.da: "D"], transitions: []).label(.en) == "k")
    }

    @Test("valid status keys", arguments: ["a", "received", "awaiting_stock", "a1", "a_", "x2_y3", String(repeating: "a", count: 40)])
    func validKeys(key: String) {
        #expect(StatusDefinition.isValidKey(key))
    }

    @Test("invalid status keys", arguments: ["", "1abc", "_abc", "Abc", "abC", "a-b", "a b", "æble", "a.b", " a", String(repeating: "a", count: 41)])
    func invalidKeys(key: String) {
        #expect(!StatusDefinition.isValidKey(key))
    }

    @Test("statuses that send e-mail have Danish and English templates")
    func emails() {
        let withMail: Set<String> = ["received", "shipped", "ready_for_pickup", "picked_up", "cancelled", "returned"]
        for d in g.all {
            if withMail.contains(d.key) {
                #expect(d.email[.da] != nil && d.email[.en] != nil, "\(d.key)")
                #expect(d.email[.da]?.subject.contains("{{order}}") == true)
            } else {
                #expect(d.email.isEmpty, "\(d.key) should send no e-mail")
            }
        }
    }

    @Test("a definition survives its JSON form")
    func jsonRoundTrip() throws {
        for d in g.all {
            let restored = try #require(StatusDefinition(stored: d.json))
            #expect(restored == d)
        }
        #expect(StatusDefinition(stored: ["labels": [:]]) == nil)
    }
}
