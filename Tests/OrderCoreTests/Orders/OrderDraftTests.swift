import Testing
@testable import OrderCore

@Suite("order.create parameters (OrderDraft)")
struct OrderDraftTests {
    static let minimal = #"{"customer":{"name":"Mette Hansen","email":"mette@example.dk"},"lines":[{"sku":"CHAIR","name":"Chair","qty":2,"unit_price":12990}]}"#

    /// Reads a draft the way `order.create` does: the draft, then `finish()` on the root.
    @discardableResult
    private func draft(_ text: String) throws -> OrderDraft {
        let p = try ParamReader(try JSONParser.parse(text))
        let d = try OrderDraft(p)
        try p.finish()
        return d
    }

    /// The minimal document with `edit` applied to its JSON.
    private func variant(_ edit: (inout JSONObject) -> Void) throws -> String {
        var o = try #require(try JSONParser.parse(Self.minimal).objectValue)
        edit(&o)
        return JSON.object(o).compactText
    }

    @Test("defaults: DKK, 25 % VAT, notify on, shipping without carrier, Danish, not prepayable")
    func defaults() throws {
        let d = try draft(Self.minimal)
        #expect(d.currency == .dkk)
        #expect(d.notify == true)
        #expect(d.delivery == .shipping(carrier: nil))
        #expect(d.delivery.method == "shipping")
        #expect(d.tags.isEmpty)
        #expect(d.note == "")
        #expect(d.customer.language == .da)
        #expect(d.customer.phone == nil)
        #expect(d.customer.billingAddress == nil)
        #expect(d.lines == [OrderLine(sku: "CHAIR", name: "Chair", qty: 2, unitPrice: 12_990, vatRate: 2500, prepayable: false)])
        #expect(d.lines[0].total == 25_980)
    }

    @Test("every field is read")
    func full() throws {
        let d = try draft(#"""
            {"customer":{"name":"Jens","email":"jens@example.com","phone":"+45 12 34 56 78","language":"en",
                         "billing_address":{"street":"Vestergade 1","postal_code":"8000","city":"Aarhus C"},
                         "delivery_address":{"name":"Jens","street":"Havnegade 2","street2":"2. th.","postal_code":"1058","city":"København K","country":"DK"}},
             "lines":[{"sku":"A","name":"Book","qty":1,"unit_price":19900,"vat_rate":0},
                      {"sku":"B","name":"Engraving","qty":3,"unit_price":5000,"vat_rate":2500,"prepayable":true}],
             "currency":"EUR","delivery":{"method":"pickup","location":"Butikken, Aarhus"},
             "tags":["vip","gift"],"note":"","notify":false}
            """#)
        #expect(d.customer.language == .en)
        #expect(d.customer.phone == "+45 12 34 56 78")
        #expect(d.customer.billingAddress?.country == "DK")
        #expect(d.customer.deliveryAddress?.street2 == "2. th.")
        #expect(d.customer.deliveryAddress?.singleLine == "Havnegade 2, 2. th., 1058 København K, DK")
        #expect(d.lines.map(\.vatRate) == [0, 2500])
        #expect(d.lines.map(\.prepayable) == [false, true])
        #expect(d.currency.code == "EUR")
        #expect(d.delivery == .pickup(location: "Butikken, Aarhus"))
        #expect(d.delivery.carrier == nil)
        #expect(d.tags == ["vip", "gift"])
        #expect(d.notify == false)
    }

    @Test("shipping with a carrier")
    func carrier() throws {
        let d = try draft(try variant { $0["delivery"] = ["method": "shipping", "carrier": "postnord"] })
        #expect(d.delivery == .shipping(carrier: "postnord"))
        #expect(d.delivery.carrier == "postnord")
        let noMethod = try draft(try variant { $0["delivery"] = ["carrier": "gls"] })
        #expect(noMethod.delivery == .shipping(carrier: "gls"))
    }

    // MARK: - Refusals

    @Test("refused drafts name the offending field", arguments: [
        // lines
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[]}"#, "lines", "an order needs at least one line"),
        (#"{"customer":{"name":"A","email":"a@b.dk"}}"#, "lines", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":{}}"#, "lines", "an order needs at least one line"),  // {} reads as [] (Lua)
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":{"sku":"A"}}"#, "lines", "expected an array, got object"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":0,"unit_price":1}]}"#, "lines[0].qty", "0 is out of range 1...1000000"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":-1,"unit_price":1}]}"#, "lines[0].qty", "out of range"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1000001,"unit_price":1}]}"#, "lines[0].qty", "out of range"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1.5,"unit_price":1}]}"#, "lines[0].qty", "expected an integer"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","unit_price":1}]}"#, "lines[0].qty", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":-1}]}"#, "lines[0].unit_price", "must not be negative"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":"10"}]}"#, "lines[0].unit_price", "got string"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":9223372036854775808}]}"#, "lines[0].unit_price", "must be an integer number of minor units"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":100000000000001}]}"#, "lines[0].unit_price", "exceeds the maximum"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1000000,"unit_price":100000001}]}"#, "lines[0].unit_price", "exceeds the maximum"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1,"vat_rate":10001}]}"#, "lines[0].vat_rate", "out of range 0...10000"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1,"vat_rate":-1}]}"#, "lines[0].vat_rate", "out of range"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1,"prepayable":"yes"}]}"#, "lines[0].prepayable", "expected true or false"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"","name":"A","qty":1,"unit_price":1}]}"#, "lines[0].sku", "must not be empty"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"name":"A","qty":1,"unit_price":1}]}"#, "lines[0].sku", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","qty":1,"unit_price":1}]}"#, "lines[0].name", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1,"colour":"red"}]}"#, "lines[0].colour", "unknown field"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1},7]}"#, "lines[1]", "expected an object, got integer"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1},{"sku":"B","name":"B","qty":1,"unit_price":1},{"sku":"A","name":"A again","qty":2,"unit_price":1}]}"#, "lines[2].sku", "duplicate sku 'A'"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1000000,"unit_price":60000000},{"sku":"B","name":"B","qty":1000000,"unit_price":60000000}]}"#, "lines", "exceeds the maximum"),
        // customer
        (#"{"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer", "is required"),
        (#"{"customer":"Mette","lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer", "expected an object, got string"),
        (#"{"customer":{"email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.name", "is required"),
        (#"{"customer":{"name":"A"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.email", "is required"),
        (#"{"customer":{"name":"A","email":"not-an-email"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.email", "'not-an-email' is not an e-mail address"),
        (#"{"customer":{"name":"A","email":"a@b"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.email", "is not an e-mail address"),
        (#"{"customer":{"name":"A","email":"a b@c.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.email", "is not an e-mail address"),
        (#"{"customer":{"name":"A","email":"a@b.dk","language":"de"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.language", "'de' is not one of da, en"),
        (#"{"customer":{"name":"A","email":"a@b.dk","vip":true},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.vip", "unknown field"),
        (#"{"customer":{"name":"A","email":"a@b.dk","billing_address":{"street":"S","postal_code":"8000","city":"C","country":"dk"}},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.billing_address.country", "expected an ISO 3166 alpha-2 code such as DK, got 'dk'"),
        (#"{"customer":{"name":"A","email":"a@b.dk","billing_address":{"street":"S","postal_code":"8000","city":"C","country":"D1"}},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.billing_address.country", "alpha-2"),
        (#"{"customer":{"name":"A","email":"a@b.dk","delivery_address":{"street":"S","postal_code":"8000","city":"C","country":"DNK"}},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.delivery_address.country", "longer than 2 characters"),
        (#"{"customer":{"name":"A","email":"a@b.dk","delivery_address":{"street":"S","city":"C"}},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.delivery_address.postal_code", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk","delivery_address":{"street":"S","postal_code":"1","city":"C","floor":2}},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}]}"#, "customer.delivery_address.floor", "unknown field"),
        // currency
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"currency":"dkk"}"#, "currency", "'dkk' is not an ISO 4217 code"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"currency":"DK"}"#, "currency", "is not an ISO 4217 code"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"currency":"DKKR"}"#, "currency", "longer than 3 characters"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"currency":208}"#, "currency", "expected a string"),
        // delivery
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":{"method":"pickup"}}"#, "delivery.location", "is required"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":{"method":"pickup","location":"  "}}"#, "delivery.location", "must not be empty"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":{"method":"drone"}}"#, "delivery.method", "'drone' is not one of shipping, pickup"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":{"method":"shipping","location":"Shop"}}"#, "delivery.location", "unknown field"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":{"method":"pickup","location":"Shop","carrier":"gls"}}"#, "delivery.carrier", "unknown field"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"delivery":"pickup"}"#, "delivery", "expected an object"),
        // the rest
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"notify":"yes"}"#, "notify", "expected true or false, got string"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"tags":["ok",""]}"#, "tags[1]", "expected a non-empty string"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"tags":"vip"}"#, "tags", "expected an array"),
        (#"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":1}],"status":"shipped"}"#, "status", "unknown field"),
    ])
    func refused(text: String, field: String, fragment: String) {
        expectOrderError(.invalid, fragment, field: field) { try draft(text) }
    }

    @Test("more than the maximum number of lines is refused")
    func tooManyLines() throws {
        let lines = (0...Amounts.maxLines).map { k -> JSON in ["sku": .string("S\(k)"), "name": "x", "qty": 1, "unit_price": 1] }
        let text = try variant { $0["lines"] = .array(lines) }
        expectOrderError(.invalid, "more than 1000 elements", field: "lines") { try draft(text) }
        let ok = try variant { $0["lines"] = .array(Array(lines.dropLast())) }
        #expect(try draft(ok).lines.count == Amounts.maxLines)
    }

    @Test("the largest allowed order total is accepted exactly")
    func maxTotal() throws {
        let text = try variant {
            $0["lines"] = [["sku": "A", "name": "A", "qty": 1_000_000, "unit_price": 50_000_000],
                           ["sku": "B", "name": "B", "qty": 1_000_000, "unit_price": 50_000_000]]
        }
        let d = try draft(text)
        #expect(d.lines.reduce(0) { $0 + $1.total } == Amounts.max)
    }

    @Test("SKUs differing only in case are distinct lines")
    func skuCase() throws {
        let d = try draft(try variant {
            $0["lines"] = [["sku": "a", "name": "A", "qty": 1, "unit_price": 1], ["sku": "A", "name": "A", "qty": 1, "unit_price": 1]]
        })
        #expect(d.lines.count == 2)
    }

    @Test("a free line (unit price 0) is allowed")
    func freeLine() throws {
        let d = try draft(try variant { $0["lines"] = [["sku": "GIFT", "name": "Gift", "qty": 1, "unit_price": 0]] })
        #expect(d.lines[0].total == 0)
    }
}
