import OrderCore
import OrderEngine
import Testing

/// `order.find` and `order.count` filters, keyset paging, and `invoice.get` / `invoice.find`.
@Suite("Queries")
struct QueriesTests {
    /// Five orders over three days:
    /// 1 Mette Hansen (da), gls, tag vip, authorised → received
    /// 2 John Smith (en), pickup, unpaid → pending_payment
    /// 3 Jens & Co, postnord, tags vip+b2b, shipped, handed over, captured (day 2)
    /// 4 Ole Olsen, gls, partially shipped, authorised (day 2)
    /// 5 Mette Hansen again, no carrier, cancelled (day 3)
    static func shop() throws -> Shop {
        let shop = try Shop()
        let gls: JSON = ["method": "shipping", "carrier": "gls"]
        try shop.paidOrder(delivery: gls, tags: ["vip"])
        try shop.createOrder(customer: Shop.customer(name: "John Smith", email: "john@example.com", language: "en"),
                             delivery: ["method": "pickup", "location": "Butikken"])
        shop.clock.advance(days: 1)
        let c = try shop.paidOrder(customer: Shop.customer(name: "Jens & Co", email: "indkob@jensco.dk"),
                                   lines: [Shop.line("CHAIR", "Stol", qty: 4, price: 120_000)],
                                   delivery: ["method": "shipping", "carrier": "postnord"], tags: ["vip", "b2b"])
        try shop.setStatus(c, "shipped")
        try shop.shipAndHandOver(c)
        try shop.capture(c)
        let d = try shop.paidOrder(customer: Shop.customer(name: "Ole Olsen", email: "ole@example.dk"), delivery: gls)
        try shop.ship(d, [("MUG", 1)])
        shop.clock.advance(days: 1)
        let e = try shop.createOrder()
        try shop.call("order.cancel", ["order": .int(e)])
        return shop
    }

    @Test("filter by status, payment state and fulfilment state")
    func states() throws {
        let shop = try Self.shop()
        #expect(try shop.find(["status": "received"]) == [1, 4])
        #expect(try shop.find(["status": ["pending_payment", "cancelled"]]) == [2, 5])
        #expect(try shop.find(["payment_state": "authorized"]) == [1, 4])
        #expect(try shop.find(["payment_state": "captured"]) == [3])
        #expect(try shop.find(["payment_state": "none"]) == [2, 5])
        #expect(try shop.find(["fulfilment_state": "unshipped"]) == [1, 2, 5])
        #expect(try shop.find(["fulfilment_state": "partially_shipped"]) == [4])
        #expect(try shop.find(["fulfilment_state": ["shipped", "delivered"]]) == [3])
        #expect(try shop.find(["status": "received", "fulfilment_state": "unshipped"]) == [1])
    }

    @Test("expired shows up after the clock passes the validity")
    func expired() throws {
        let shop = try Self.shop()
        #expect(try shop.find(["payment_state": "expired"]) == [])
        shop.clock.advance(days: 5)  // order 1: day 0 + 7; order 4: day 1 + 7
        #expect(try shop.find(["payment_state": "expired"]) == [1])
        #expect(try shop.find(["payment_state": "authorized"]) == [4])
        shop.clock.advance(days: 1)
        #expect(try shop.find(["payment_state": "expired"]) == [1, 4])
        #expect(try shop.count(["payment_state": "expired"]) == 2)
        let row = try #require(shop.call("order.find", ["payment_state": "expired", "limit": 1])["orders"]?[0])
        #expect(row["payment_state"]?.stringValue == "expired")
    }

    @Test("text search over number, name, e-mail and more, case-insensitively")
    func text() throws {
        let shop = try Self.shop()
        #expect(try shop.find(["text": "mette"]) == [1, 5])
        #expect(try shop.find(["text": "HANSEN"]) == [1, 5])
        #expect(try shop.find(["text": "jens & co"]) == [3])
        #expect(try shop.find(["text": "@example.com"]) == [2])
        #expect(try shop.find(["text": "indkob@jensco.dk"]) == [3])
        #expect(try shop.find(["text": "4"]) == [4])
        #expect(try shop.find(["text": "chair"]) == [3])
        #expect(try shop.find(["text": "nobody"]) == [])
    }

    @Test("an edited delivery address is found at once, in pages and counts, and the old one no longer")
    func textAfterEdit() throws {
        let shop = try Self.shop()
        let street: (String) -> JSON = { ["street": .string($0), "postal_code": "2900", "city": "Hellerup", "country": "DK"] }
        try shop.call("order.edit", ["order": 4, "delivery_address": street("Strandvejen 17"), "reason": "Ny adresse"])
        #expect(try shop.find(["text": "strandvejen 17"]) == [4])
        #expect(try shop.count(["text": "strandvej"]) == 1)
        #expect(try shop.count(["text": "hellerup", "status": "received"]) == 1)
        try shop.call("order.edit", ["order": 4, "delivery_address": street("Ryvangs Allé 3"), "reason": "Flyttet igen"])
        #expect(try shop.find(["text": "strandvejen"]) == [])
        #expect(try shop.count(["text": "strandvejen"]) == 0)
        #expect(try shop.find(["text": "ryvangs alle"]) == [4])
        #expect(try shop.find(["text": "ole olsen"]) == [4])
    }

    @Test("tags, delivery method and carrier")
    func tagsAndDelivery() throws {
        let shop = try Self.shop()
        #expect(try shop.find(["tag": "vip"]) == [1, 3])
        #expect(try shop.find(["tag": ["vip", "b2b"]]) == [3])
        #expect(try shop.find(["tag": "vi"]) == [])
        #expect(try shop.find(["delivery_method": "pickup"]) == [2])
        #expect(try shop.find(["delivery_method": "shipping"]) == [1, 3, 4, 5])
        #expect(try shop.find(["carrier": "gls"]) == [1, 4])
        #expect(try shop.find(["carrier": "postnord", "tag": "vip"]) == [3])
        let row = try #require(shop.call("order.find", ["carrier": "postnord"])["orders"]?[0])
        #expect(row["customer"]?["name"]?.stringValue == "Jens & Co")
        #expect(row["tags"] == ["vip", "b2b"])
        #expect(row["delivery_method"]?.stringValue == "shipping")
        #expect(row["captured"]?.intValue == 480_000)
    }

    @Test("created_from is inclusive and created_to exclusive")
    func dates() throws {
        let shop = try Self.shop()
        #expect(try shop.find(["created_from": "2026-11-24"]) == [3, 4, 5])
        #expect(try shop.find(["created_to": "2026-11-24"]) == [1, 2])
        #expect(try shop.find(["created_from": "2026-11-24", "created_to": "2026-11-25"]) == [3, 4])
        #expect(try shop.find(["created_from": "2026-11-24T08:00:00Z", "created_to": "2026-11-24T08:00:01Z"]) == [3, 4])
        #expect(try shop.find(["created_from": "2026-11-25T09:00:00+01:00"]) == [5])
        try expectRefused(shop, .invalid, "created_from", "not an ISO 8601 date") { try shop.find(["created_from": "24/11/2026"]) }
    }

    @Test("order.count counts what order.find selects")
    func count() throws {
        let shop = try Self.shop()
        #expect(try shop.count() == 5)
        #expect(try shop.count(["status": "received"]) == 2)
        #expect(try shop.count(["text": "mette", "status": "cancelled"]) == 1)
        #expect(try shop.count(["orders": [1, 3, 99]]) == 2)
        try expectRefused(shop, .invalid, "limit", "unknown field") { try shop.call("order.count", ["limit": 5]) }
    }

    @Test("keyset paging stays correct while orders are inserted between pages")
    func pagingWithInserts() throws {
        let shop = try Shop()
        for _ in 0..<10 { try shop.createOrder() }
        func page(_ p: JSONObject) throws -> ([Int64], JSON) {
            let r = try shop.call("order.find", .object(p))
            return (r["orders"]?.arrayValue?.compactMap { $0["order"]?.intValue } ?? [], r["next"] ?? .null)
        }
        // Ascending: new orders come at the end and are seen exactly once.
        var seen: [Int64] = []
        var (nums, next) = try page(["limit": 4])
        seen += nums
        #expect(nums == [1, 2, 3, 4])
        try shop.createOrder()
        try shop.createOrder()
        while next != .null {
            (nums, next) = try page(["limit": 4, "after": next])
            seen += nums
            if seen.count == 8 { try shop.createOrder() }
        }
        #expect(seen == Array(1...13))

        // Descending by creation time: inserts land before the cursor and never shift later pages.
        shop.clock.advance(minutes: 1)
        seen = []
        (nums, next) = try page(["limit": 5, "sort": "created_at", "desc": true])
        seen += nums
        for _ in 0..<3 { try shop.createOrder() }
        while next != .null {
            (nums, next) = try page(["limit": 5, "sort": "created_at", "desc": true, "after": next])
            seen += nums
        }
        #expect(seen == Array((1...13).reversed()))

        // By total, with ties broken by number, while a status filter's members change.
        try expectRefused(shop, .invalid, "after", "not a cursor") { try shop.call("order.find", ["after": "garbage"]) }
        try expectRefused(shop, .invalid, "sort", "'price' is not one of") { try shop.call("order.find", ["sort": "price"]) }
    }

    @Test("paging by total breaks ties by number")
    func pagingByTotal() throws {
        let shop = try Shop()
        let prices: [Int64] = [500, 100, 500, 300, 100, 500]
        for p in prices { try shop.createOrder(lines: [Shop.line("X", "X", qty: 1, price: p)]) }
        var seen: [Int64] = []
        var next: JSON = .null
        repeat {
            let r = try shop.call("order.find", ["sort": "total", "limit": 2, "after": next])
            seen += r["orders"]?.arrayValue?.compactMap { $0["order"]?.intValue } ?? []
            next = r["next"] ?? .null
        } while next != .null
        #expect(seen == [2, 5, 4, 1, 3, 6])
    }

    @Test("invoice.get and invoice.find read invoices and credit notes")
    func invoices() throws {
        let shop = try Self.shop()
        try shop.settings(["capture_policy": "anytime"])
        try shop.capture(1)
        shop.clock.advance(days: 1)
        try shop.call("credit_note.create", ["order": 3, "lines": [["sku": "CHAIR", "qty": 1]], "reason": "ridse"])

        let all = try #require(shop.call("invoice.find")["documents"]?.arrayValue)
        #expect(all.map { "\($0["kind"]!.stringValue!)-\($0["number"]!.intValue!)" } == ["credit_note-1", "invoice-1", "invoice-2"])
        #expect(try shop.call("invoice.find", ["kind": "invoice"])["documents"]?.count == 2)
        #expect(try shop.call("invoice.find", ["order": 3])["documents"]?.count == 2)
        #expect(try shop.call("invoice.find", ["kind": "invoice", "order": 1])["documents"]?[0]?["number"]?.intValue == 2)
        #expect(try shop.call("invoice.find", ["issued_from": "2026-11-25"])["documents"]?.count == 2)
        #expect(try shop.call("invoice.find", ["issued_to": "2026-11-25"])["documents"]?.count == 1)
        #expect(try shop.call("invoice.find", ["kind": "invoice", "after": 1])["documents"]?.count == 1)
        #expect(try shop.call("invoice.find", ["limit": 1])["documents"]?.count == 1)

        let inv = try shop.call("invoice.get", ["number": 1])
        #expect(inv["order"]?.intValue == 3)
        #expect(inv["buyer"]?["name"]?.stringValue == "Jens & Co")
        let cn = try shop.call("invoice.get", ["kind": "credit_note", "number": 1])
        #expect(cn["credits_invoice"]?.intValue == 1)
        #expect(cn["total"]?.intValue == 120_000)
        try expectRefused(shop, .notFound, "credit note 2 does not exist") { try shop.call("invoice.get", ["kind": "credit_note", "number": 2]) }
        try expectRefused(shop, .notFound, "invoice 9 does not exist") { try shop.call("invoice.get", ["number": 9]) }
        try expectRefused(shop, .invalid, "kind", "'receipt' is not one of") { try shop.call("invoice.get", ["kind": "receipt", "number": 1]) }
    }
}

/// The full-text index: words match from their start, in any order, across fields.
@Suite struct FullTextTests {
    @Test func wordsMatchFromTheirStart() throws {
        let shop = try Shop()
        let a = try shop.createOrder(customer: Shop.customer(name: "Ida Jensen", email: "ida@kaffe.dk"))
        let b = try shop.createOrder(customer: Shop.customer(name: "Jens Holm", email: "jens@holm.dk"))
        #expect(try shop.find(["text": "jens"]) == [a, b])
        #expect(try shop.find(["text": "jensen"]) == [a])
        #expect(try shop.find(["text": "sen"]) == [], "not a substring search")
        #expect(try shop.find(["text": "holm jens"]) == [b], "words in any order")
        #expect(try shop.find(["text": "ida@kaf"]) == [a])
        #expect(try shop.find(["text": "TSHIRT"]) == [a, b], "SKUs are indexed")
        #expect(try shop.find(["text": "&&"]) == [a, b], "no words: no text filter")
    }

    @Test("Danish folding: soren, søren and soeren find Søren; aarhus finds Århus; jaeger finds Jæger")
    func danishFolding() throws {
        let shop = try Shop()
        var soren = Shop.customer(name: "Søren Ågård", email: "sq@kaffe.dk").objectValue!
        soren["billing_address"] = ["street": "Ågade 3", "postal_code": "8000", "city": "Århus C"]
        let s = try shop.createOrder(customer: .object(soren))
        let j = try shop.createOrder(customer: Shop.customer(name: "Mads Jæger", email: "mj@kaffe.dk", address: false))
        let o = try shop.createOrder(customer: Shop.customer(name: "Sara Olsen", email: "so@kaffe.dk", address: false))
        for text in ["soren", "søren", "soeren", "SØREN", "Soeren"] {
            #expect(try shop.find(["text": .string(text)]) == [s], "\(text)")
        }
        for text in ["aarhus", "århus", "arhus", "agaard", "aagaard", "ågård", "aagade"] {
            #expect(try shop.find(["text": .string(text)]) == [s], "\(text)")
        }
        #expect(try shop.find(["text": "jaeger"]) == [j])
        #expect(try shop.find(["text": "jæger"]) == [j])
        #expect(try shop.find(["text": "olsen"]) == [o], "a name without æøå is found as before")
        #expect(try shop.find(["text": "saren"]) == [], "folding does not make other names equal")
        let c = try shop.createOrder(customer: Shop.customer(name: "Zoë Citroën", email: "z@kaffe.dk", address: false))
        #expect(try shop.find(["text": "citroen"]) == [c], "an accent the index drops meets the typed digraph")
        #expect(try shop.find(["text": "citroën zoe"]) == [c])
        #expect(try shop.call("order.count", ["text": "soeren"])["count"]?.intValue == 1)
    }

    @Test func onlyTheLastWordMayBeUnfinished() throws {
        let shop = try Shop()
        let n = try shop.createOrder(customer: Shop.customer(name: "Jens Holm", email: "jens@holm.dk"))
        #expect(try shop.find(["text": "holm jen"]) == [n])
        #expect(try shop.find(["text": "jen holm"]) == [], "an earlier word must be whole")
        #expect(try shop.find(["text": "holm je"]) == [], "a last word of one or two letters is whole")
        #expect(try shop.find(["text": "jens@holm.dk"]) == [n])
    }

    @Test func textResultsPageInNumberOrderBothWays() throws {
        let shop = try Shop()
        var mettes: [Int64] = []
        for i in 0..<7 {
            let m = try shop.createOrder(customer: Shop.customer(name: "Mette Nr\(i)", email: "m\(i)@example.dk"))
            mettes.append(m)
            _ = try shop.createOrder(customer: Shop.customer(name: "Anders Nr\(i)", email: "a\(i)@example.dk"))
        }
        for descending in [false, true] {
            var seen: [Int64] = []
            var params: JSONObject = ["text": "mette", "limit": 3, "desc": .bool(descending)]
            while true {
                let r = try shop.call("order.find", .object(params))
                seen += r["orders"]?.arrayValue?.compactMap { $0["order"]?.intValue } ?? []
                guard let next = r["next"]?.stringValue else { break }
                params["after"] = .string(next)
            }
            #expect(seen == (descending ? mettes.reversed() : mettes), "descending: \(descending)")
        }
        // With another filter on the same page walk.
        _ = try shop.call("order.tag", ["order": .int(mettes[2]), "add": ["vip"]])
        #expect(try shop.find(["text": "mette", "tag": "vip"]) == [mettes[2]])
    }

    @Test func anUpdatedOrderStaysFindable() throws {
        // Updates rewrite the order row; the index follows through its update trigger.
        let shop = try Shop()
        let n = try shop.createOrder(customer: Shop.customer(name: "Karen Blixen"))
        try shop.call("order.tag", ["order": .int(n), "add": ["afrika"]])
        #expect(try shop.find(["text": "blixen"]) == [n])
    }
}
