import OrderCore
import OrderEngine
import Testing

/// The status e-mail and the durable outbox: queued in the command's transaction, only when
/// the order's notify flag is on, in the customer's language, with a shop copy; acknowledged
/// by the host or delivered through the Mailer port.
@Suite("Outbox")
struct OutboxTests {
    @Test("status e-mails are queued on status changes with a template, when notify is on")
    func queuedWhenNotifyOn() throws {
        let shop = try Shop()
        let n = try shop.paidOrder()
        var mails = try shop.outbox()
        #expect(mails.count == 1)
        #expect(mails[0]["to"]?.stringValue == "mette@example.dk")
        #expect(mails[0]["subject"]?.stringValue == "Tak for din ordre 1")
        #expect(mails[0]["body"]?.stringValue?.hasPrefix("Kære Mette Hansen\n\nVi har modtaget din ordre 1 på 497,00 kr.") == true)
        #expect(mails[0]["body"]?.stringValue?.contains("kr..") == false, "no double full stop after the amount")
        #expect(mails[0]["body"]?.stringValue?.hasSuffix("Venlig hilsen\nOrderEngine Shop\n") == true)
        #expect(mails[0]["language"]?.stringValue == "da")
        #expect(mails[0]["status"]?.stringValue == "pending")
        #expect(mails[0]["order"]?.intValue == n)

        // "processing" has no template: no mail.
        #expect(try shop.setStatus(n, "processing")["outbox"]?.count == 0)
        let r = try shop.setStatus(n, "shipped")
        mails = try shop.outbox()
        #expect(mails.count == 2)
        #expect(r["outbox"] == [mails[1]["id"]!])
        #expect(mails[1]["subject"]?.stringValue == "Din ordre 1 er afsendt")
        #expect(try shop.timeline(n).named("mail.queued").count == 2)
    }

    @Test("no e-mail while notify is off; turning it on affects the next change only")
    func notifyOff() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(notify: false)
        #expect(try shop.order(n)["notify"]?.boolValue == false)
        #expect(try shop.outbox().isEmpty)
        #expect(try shop.setStatus(n, "processing")["outbox"]?.count == 0)

        let t = try shop.call("order.set_notify", ["order": .int(n), "notify": true])
        #expect(t["notify"]?.boolValue == true)
        #expect(try shop.outbox().isEmpty)
        try shop.setStatus(n, "shipped")
        #expect(try shop.outbox().count == 1)

        try shop.call("order.set_notify", ["order": .int(n), "notify": false])
        try shop.setStatus(n, "returned")
        #expect(try shop.outbox().count == 1)
        let changes = try shop.timeline(n).named("order.notify_changed")
        #expect(changes.map { $0["to"]?.stringValue } == ["true", "false"])
    }

    @Test("the e-mail is written in the customer's language", arguments: [
        ("da", "Tak for din ordre 1", "Kære Ann", "Venlig hilsen"),
        ("en", "Thank you for your order 1", "Dear Ann", "Kind regards,"),
    ])
    func language(lang: String, subject: String, greeting: String, signOff: String) throws {
        let shop = try Shop()
        try shop.paidOrder(customer: Shop.customer(name: "Ann", email: "ann@example.com", language: lang))
        let m = try #require(shop.outbox().first)
        #expect(m["subject"]?.stringValue == subject)
        #expect(m["body"]?.stringValue?.hasPrefix(greeting) == true)
        #expect(m["body"]?.stringValue?.contains(signOff) == true)
        #expect(m["language"]?.stringValue == lang)
    }

    @Test("the shop's copy address gets a copy of every status e-mail; null turns it off")
    func shopCopy() throws {
        let shop = try Shop()
        try shop.settings(["mail_copy_to": "ordre@butik.dk", "shop_name": "Butik ApS"])
        let n = try shop.paidOrder()
        let mails = try shop.outbox()
        #expect(mails.map { $0["to"]?.stringValue } == ["mette@example.dk", "ordre@butik.dk"])
        #expect(mails[0]["subject"] == mails[1]["subject"])
        #expect(mails[0]["body"] == mails[1]["body"])
        #expect(mails[1]["body"]?.stringValue?.hasSuffix("Venlig hilsen\nButik ApS\n") == true)

        try shop.settings(["mail_copy_to": nil])
        #expect(try shop.call("settings.get")["mail_copy_to"] == .null)
        try shop.setStatus(n, "shipped")
        #expect(try shop.outbox().count == 3)
        try expectRefused(shop, .invalid, "mail_copy_to", "not an e-mail address") { try shop.settings(["mail_copy_to": "ordre at butik"]) }
    }

    @Test("outbox.ack marks messages sent; acking twice is harmless; unknown ids are not found")
    func ack() throws {
        let shop = try Shop()
        try shop.settings(["mail_copy_to": "ordre@butik.dk"])
        try shop.paidOrder()
        let ids = try shop.outbox().compactMap { $0["id"] }
        #expect(ids.count == 2)
        let r = try shop.call("outbox.ack", ["ids": .array([ids[0]])])
        #expect(r["acked"] == .array([ids[0]]))
        #expect(r["pending"]?.intValue == 1)
        let again = try shop.call("outbox.ack", ["ids": .array(ids)])
        #expect(again["acked"] == .array([ids[1]]))
        #expect(again["pending"]?.intValue == 0)
        #expect(try shop.outbox().isEmpty)
        let sent = try shop.outbox("sent")
        #expect(sent.count == 2)
        #expect(sent[0]["acked_at"]?.stringValue == "2026-11-23T08:00:00Z")
        try expectRefused(shop, .notFound, "no outbox message 999") { try shop.call("outbox.ack", ["ids": [999]]) }
        try expectRefused(shop, .invalid, "ids[0]") { try shop.call("outbox.ack", ["ids": ["x"]]) }
        try expectRefused(shop, .invalid, "ids", "is required") { try shop.call("outbox.ack", [:]) }
    }

    @Test("outbox.deliver sends pending messages through the Mailer and marks them sent")
    func deliver() throws {
        let shop = try Shop()
        let a = try shop.paidOrder()
        try shop.paidOrder(customer: Shop.customer(name: "John", email: "john@example.com", language: "en"))
        try shop.setStatus(a, "shipped")
        let r = try shop.call("outbox.deliver")
        #expect(r["sent"]?.count == 3)
        #expect(r["failed"] == .null)
        #expect(r["pending"]?.intValue == 0)
        let sent = shop.mailer.messages
        #expect(sent.map(\.recipient) == ["mette@example.dk", "john@example.com", "mette@example.dk"])
        #expect(sent.map(\.subject) == ["Tak for din ordre 1", "Thank you for your order 2", "Din ordre 1 er afsendt"])
        #expect(try shop.outbox("sent").count == 3)
        #expect(try shop.call("outbox.deliver")["sent"]?.count == 0)
        #expect(shop.mailer.messages.count == 3)
        #expect(try shop.outbox("all", order: a).count == 2)
    }

    @Test("a failing mailer stops delivery; what was sent stays sent and the rest waits for the next run")
    func deliverFailure() throws {
        let mailer = FailingMailer(failOn: 2)
        let shop = try Shop(mailerPort: mailer)
        try shop.paidOrder()
        try shop.paidOrder()
        try shop.paidOrder()
        let r = try shop.call("outbox.deliver")
        #expect(r["sent"]?.count == 1)
        #expect(r["failed"]?.stringValue?.contains("message 2 to mette@example.dk") == true)
        #expect(r["pending"]?.intValue == 2)
        let again = try shop.call("outbox.deliver")
        #expect(again["sent"]?.count == 2)
        #expect(again["pending"]?.intValue == 0)
        #expect(mailer.messages.map(\.id) == [1, 2, 3])
    }

    @Test("Mustache values are plain text: a customer named \"Jens & Co\" stays as written")
    func notHTMLEscaped() throws {
        let shop = try Shop()
        try shop.settings(["shop_name": "Bøger & <Blade>"])
        try shop.paidOrder(customer: Shop.customer(name: "Jens & Co \"Holm\"", email: "jens@example.dk"))
        let m = try #require(shop.outbox().first)
        let body = try #require(m["body"]?.stringValue)
        #expect(body.hasPrefix("Kære Jens & Co \"Holm\"\n"))
        #expect(body.hasSuffix("Bøger & <Blade>\n"))
        #expect(!body.contains("&amp;"))
        #expect(!body.contains("&quot;"))
        #expect(!body.contains("&lt;"))
    }

    @Test("a rolled-back status change leaves no e-mail behind")
    func rolledBack() throws {
        let shop = try Shop()
        let n = try shop.createOrder()
        shop.engine.setHooks(TestHooks(on: { e, _ in
            if e.name == "order.status_changed" { throw OrderError(.script, "not today") }
        }))
        let before = try shop.checksum()
        expectError(.script, "not today") { try shop.authorize(n) }
        #expect(try shop.checksum() == before)
        #expect(try shop.outbox("all").isEmpty)
    }
}
