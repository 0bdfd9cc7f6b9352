import OrderCore
import Testing

/// Every built-in status e-mail, rendered through real orders in both languages, read as a
/// customer would: no doubled or stray punctuation, no template markup left, the amounts in the
/// customer's format, and every parcel's tracking number.
@Suite("Default e-mail texts in Danish and English")
struct DefaultMailTextsTests {
    /// Runs the statuses with an e-mail on orders of a customer reading `language`; returns the
    /// messages queued, by order.
    private func mails(_ language: String) throws -> (shop: Shop, byOrder: [Int64: [JSON]], orders: [String: Int64]) {
        let shop = try Shop()
        let customer = Shop.customer(name: "Søren Ågård", email: "soren@example.dk", language: language)
        var orders: [String: Int64] = [:]
        // Shipped in two parcels with two carriers, then delivered, then returned.
        let a = try shop.paidOrder(customer: customer, notify: true)
        try shop.ship(a, [("TSHIRT", 2)], carrier: "gls", tracking: "GLS-111")
        try shop.ship(a, [("MUG", 1)], carrier: "postnord", tracking: "PN-222")
        try shop.setStatus(a, "shipped")
        try shop.setStatus(a, "delivered")
        try shop.setStatus(a, "returned")
        orders["shipped"] = a
        // Click and collect.
        let b = try shop.paidOrder(customer: customer, delivery: ["method": "pickup", "location": "Lager Nord"], notify: true)
        try shop.setStatus(b, "ready_for_pickup")
        try shop.setStatus(b, "picked_up")
        orders["pickup"] = b
        // Cancelled with the authorisation still held.
        let c = try shop.paidOrder(customer: customer, notify: true)
        try shop.call("order.cancel", ["order": .int(c)])
        orders["cancelled"] = c
        var byOrder: [Int64: [JSON]] = [:]
        for m in try shop.outbox("all") where m["to"]?.stringValue == "soren@example.dk" {
            byOrder[m["order"]?.intValue ?? 0, default: []].append(m)
        }
        return (shop, byOrder, orders)
    }

    @Test("every built-in template with an e-mail is sent and reads cleanly", arguments: ["da", "en"])
    func clean(language: String) throws {
        let (_, byOrder, _) = try mails(language)
        let all = byOrder.values.flatMap { $0 }
        let lang: Language = language == "da" ? .da : .en
        let expectedSubjects = DefaultStatuses.all.compactMap { $0.email[lang]?.subject }.count
        let subjects = Set(all.compactMap { $0["subject"]?.stringValue })
        #expect(subjects.count >= expectedSubjects, "every default template was rendered: \(subjects.sorted())")
        for m in all {
            let subject = try #require(m["subject"]?.stringValue)
            let body = try #require(m["body"]?.stringValue)
            for text in [subject, body] {
                for bad in ["..", " .", " ,", ",.", "{{", "}}", "  ", "\n\n\n", "kr. .", "()"] {
                    #expect(!text.contains(bad), "\(bad.debugDescription) in \(text.debugDescription)")
                }
            }
            #expect(body.hasPrefix(language == "da" ? "Kære Søren Ågård\n\n" : "Dear Søren Ågård\n\n"), "\(body)")
            #expect(body.hasSuffix(language == "da" ? "Venlig hilsen\nOrderEngine Shop\n" : "Kind regards,\nOrderEngine Shop\n"), "\(body)")
            #expect(!subject.isEmpty && !subject.hasSuffix("."))
        }
    }

    @Test("the shipped mail lists every parcel's tracking number and carrier", arguments: ["da", "en"])
    func tracking(language: String) throws {
        let (_, byOrder, orders) = try mails(language)
        let mails = try #require(byOrder[orders["shipped"] ?? -1])
        let shipped = try #require(mails.first { $0["subject"]?.stringValue?.contains(language == "da" ? "afsendt" : "shipped") == true })
        let body = try #require(shipped["body"]?.stringValue)
        #expect(body.contains("GLS-111") && body.contains("PN-222"), "\(body)")
        #expect(body.contains(language == "da" ? "gls og postnord" : "gls and postnord"), "\(body)")
        #expect(body.contains(language == "da" ? "GLS-111 og PN-222." : "GLS-111 and PN-222."), "\(body)")
    }

    @Test("amounts are in the customer's format, with one full stop after kr.", arguments: ["da", "en"])
    func amounts(language: String) throws {
        let (_, byOrder, orders) = try mails(language)
        let received = try #require(byOrder[orders["shipped"] ?? -1]?.first)
        let body = try #require(received["body"]?.stringValue)
        #expect(body.contains(language == "da" ? "på 497,00 kr.\n" : "of DKK 497.00.\n"), "\(body)")
    }

    @Test("the cancel mail does not claim the reservation was released: the void may yet be declined", arguments: ["da", "en"])
    func cancelled(language: String) throws {
        let (_, byOrder, orders) = try mails(language)
        let mail = try #require(byOrder[orders["cancelled"] ?? -1]?.last)
        let body = try #require(mail["body"]?.stringValue)
        #expect(!body.contains("er frigivet") && !body.contains("has been released"), "\(body)")
        if language == "da" {
            #expect(body.contains("Vi har bedt om at få reservationen på 497,00 kr. på dit kort frigivet."), "\(body)")
            #expect(body.contains("Den bortfalder under alle omstændigheder senest 30.11.2026."), "\(body)")
        } else {
            #expect(body.contains("We have asked for the reservation of DKK 497.00 on your card to be released."), "\(body)")
            #expect(body.contains("It lapses by 30 November 2026 in any case."), "\(body)")
        }
    }

    @Test("after a declined void the order says so and the cancel mail stays true")
    func declinedVoid() throws {
        let shop = try Shop()
        let n = try shop.paidOrder(notify: true)
        try shop.simulate(n, "void", "decline")
        try shop.call("order.cancel", ["order": .int(n)])
        let body = try #require(shop.outbox("all", order: n).last?["body"]?.stringValue)
        #expect(!body.contains("er frigivet"), "\(body)")
        #expect(body.contains("Vi har bedt om at få reservationen"), "\(body)")
    }

    @Test("a cancelled order with nothing authorised says nothing about a reservation")
    func cancelledUnpaid() throws {
        let shop = try Shop()
        let n = try shop.createOrder(notify: true)
        try shop.call("order.cancel", ["order": .int(n)])
        let body = try #require(shop.outbox("all", order: n).last?["body"]?.stringValue)
        #expect(body.contains("er annulleret.\n\nVenlig hilsen"), "\(body)")
    }
}
