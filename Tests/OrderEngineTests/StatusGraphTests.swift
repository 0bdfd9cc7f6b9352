import OrderCore
import OrderEngine
import Testing

/// The default Danish status graph, illegal transitions, and custom statuses.
@Suite("Status graph")
struct StatusGraphTests {
    @Test("status.list shows the nine default statuses with Danish and English labels")
    func defaults() throws {
        let shop = try Shop()
        let list = try #require(shop.call("status.list")["statuses"]?.arrayValue)
        #expect(list.compactMap { $0["key"]?.stringValue } == [
            "pending_payment", "received", "processing", "shipped", "ready_for_pickup", "picked_up", "delivered", "cancelled", "returned",
        ])
        let shipped = try #require(list.first { $0["key"]?.stringValue == "shipped" })
        #expect(shipped["labels"] == ["da": "Afsendt", "en": "Shipped"])
        #expect(shipped["transitions"] == ["delivered", "returned"])
        #expect(shipped["built_in"]?.boolValue == true)
        #expect(shipped["email"]?["da"]?["subject"]?.stringValue == "Din ordre {{order}} er afsendt")
        let received = try #require(list.first { $0["key"]?.stringValue == "received" })
        #expect(received["labels"]?["da"]?.stringValue == "Ikke behandlet")
        #expect(received["transitions"] == ["processing", "shipped", "ready_for_pickup", "cancelled"])
        #expect(list.first { $0["key"]?.stringValue == "cancelled" }?["transitions"] == [])
    }

    @Test("default transitions along the graph",
          arguments: [["received", "processing", "shipped", "delivered", "returned"],
                      ["received", "shipped", "returned"],
                      ["received", "processing", "received", "ready_for_pickup", "picked_up", "returned"],
                      ["received", "ready_for_pickup", "cancelled"],
                      ["received", "processing", "cancelled"]])
    func path(_ statuses: [String]) throws {
        let shop = try Shop()
        let n = try shop.createOrder(notify: false)
        var version: Int64 = 1
        for s in statuses {
            let r = try shop.setStatus(n, s)
            #expect(r["status"]?.stringValue == s)
            #expect(r["version"]?.intValue == version + 1)
            version += 1
        }
        #expect(try shop.order(n)["status"]?.stringValue == statuses.last)
    }

    @Test("an illegal transition names both statuses and the allowed ones")
    func illegal() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        let e = try expectRefused(shop, .policy, "order \(n) cannot move from 'pending_payment' to 'shipped'",
                                  "it may move to: received, cancelled") { try shop.setStatus(n, "shipped") }
        #expect(e?.field == "status")
        try shop.authorize(n)
        try shop.setStatus(n, "shipped")
        try expectRefused(shop, .policy, "from 'shipped' to 'processing'", "delivered, returned") { try shop.setStatus(n, "processing") }
        try shop.setStatus(n, "returned")
        try expectRefused(shop, .policy, "nothing (final status)") { try shop.setStatus(n, "received") }
    }

    @Test("an unknown status is not found and the known ones are listed")
    func unknownStatus() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        try expectRefused(shop, .notFound, "unknown status 'afsendt'", "pending_payment, received") { try shop.setStatus(n, "afsendt") }
        try expectRefused(shop, .invalid, "status", "unknown status 'nope'") { try shop.find(["status": "nope"]) }
    }

    @Test("status.define adds a custom status with labels, transitions and an e-mail template")
    func defineCustom() throws {
        let shop = try Shop()
        let def = try shop.call("status.define", [
            "key": "packed",
            "labels": ["da": "Pakket", "en": "Packed"],
            "from": ["processing"],
            "to": ["shipped", "cancelled"],
            "email": [
                "da": ["subject": "Ordre {{order}} er pakket", "body": "Kære {{customer_name}}, din ordre har status {{status}}."],
                "en": ["subject": "Order {{order}} is packed", "body": "Dear {{customer_name}}, your order is {{status}}."],
            ],
        ])
        #expect(def["key"]?.stringValue == "packed")
        #expect(def["built_in"]?.boolValue == false)
        #expect(def["transitions"] == ["shipped", "cancelled"])

        let list = try #require(shop.call("status.list")["statuses"]?.arrayValue)
        #expect(list.last?["key"]?.stringValue == "packed")
        #expect(list.last?["labels"] == ["da": "Pakket", "en": "Packed"])
        #expect(list.first { $0["key"]?.stringValue == "processing" }?["transitions"]?.arrayValue?.contains("packed") == true)

        let da = try shop.paidOrder()
        let en = try shop.paidOrder(customer: Shop.customer(name: "John Smith", email: "john@example.com", language: "en"))
        for n in [da, en] {
            try shop.setStatus(n, "processing")
            let r = try shop.setStatus(n, "packed")
            #expect(r["outbox"]?.count == 1)
        }
        let mails = Array(try shop.outbox().suffix(2))
        #expect(mails.count == 2)
        #expect(mails[0]["subject"]?.stringValue == "Ordre 1 er pakket")
        #expect(mails[0]["body"]?.stringValue == "Kære Mette Hansen, din ordre har status Pakket.")
        #expect(mails[1]["subject"]?.stringValue == "Order 2 is packed")
        #expect(mails[1]["body"]?.stringValue == "Dear John Smith, your order is Packed.")
        #expect(try shop.order(da)["status_label"]?.stringValue == "Pakket")
        #expect(try shop.order(en)["status_label"]?.stringValue == "Packed")
        #expect(try shop.find(["status": "packed"]) == [da, en])

        try expectRefused(shop, .policy, "from 'packed' to 'delivered'", "shipped, cancelled") { try shop.setStatus(da, "delivered") }
        try shop.setStatus(da, "shipped")
    }

    @Test("a custom status is seen by a second engine on the same database")
    func definitionShared() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let a = try Shop(path: dir.path("shop.sqlite"))
        let b = try Shop(path: dir.path("shop.sqlite"))
        #expect(try b.call("status.list")["statuses"]?.count == 9)
        try a.call("status.define", ["key": "on_hold", "labels": ["da": "På hold", "en": "On hold"], "from": ["received"], "to": ["received"]])
        #expect(try b.call("status.list")["statuses"]?.count == 10)
        let n = try b.paidOrder()
        try b.setStatus(n, "on_hold")
        #expect(try b.order(n)["status_label"]?.stringValue == "På hold")
    }

    @Test("status.define refuses bad keys, missing labels, unknown targets and broken templates")
    func defineInvalid() throws {
        let shop = try Shop()
        try expectRefused(shop, .invalid, "key:", "'Pakket!' is not a status key") {
            try shop.call("status.define", ["key": "Pakket!", "labels": ["da": "P", "en": "P"]])
        }
        try expectRefused(shop, .invalid, "labels.en", "Danish and English") {
            try shop.call("status.define", ["key": "packed", "labels": ["da": "Pakket"]])
        }
        try expectRefused(shop, .invalid, "to[1]", "unknown status 'sent'") {
            try shop.call("status.define", ["key": "packed", "labels": ["da": "P", "en": "P"], "to": ["shipped", "sent"]])
        }
        try expectRefused(shop, .invalid, "from[0]", "unknown status 'nowhere'") {
            try shop.call("status.define", ["key": "packed", "labels": ["da": "P", "en": "P"], "from": ["nowhere"]])
        }
        try expectRefused(shop, .invalid, "email.da.body", "not a valid Mustache template") {
            try shop.call("status.define", ["key": "packed", "labels": ["da": "P", "en": "P"],
                                            "email": ["da": ["subject": "ok", "body": "{{#open}} never closed"]]])
        }
        try expectRefused(shop, .invalid, "labels.fr", "unknown field") {
            try shop.call("status.define", ["key": "packed", "labels": ["da": "P", "en": "P", "fr": "P"]])
        }
    }

    @Test("a built-in status can gain a transition and an e-mail")
    func extendBuiltIn() throws {
        let shop = try Shop()
        try shop.call("status.define", ["key": "delivered",
                                        "email": ["da": ["subject": "Leveret: {{order}}", "body": "Din pakke er leveret."]]])
        let n = try shop.paidOrder()
        try shop.setStatus(n, "shipped")
        let r = try shop.setStatus(n, "delivered")
        #expect(r["outbox"]?.count == 1)
        #expect(try shop.outbox().last?["subject"]?.stringValue == "Leveret: 1")
        let delivered = try #require(shop.call("status.list")["statuses"]?.arrayValue?.first { $0["key"]?.stringValue == "delivered" })
        #expect(delivered["labels"] == ["da": "Leveret", "en": "Delivered"])
        #expect(delivered["built_in"]?.boolValue == true)
    }
}
