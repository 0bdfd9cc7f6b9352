import OrderCore
import OrderEngine
import Testing

/// Bad input gets the right error code and a message naming the field, and never changes
/// stored data (`contentChecksum` unchanged).
@Suite("Bad input")
struct BadInputTests {
    /// One refused call: the command, its parameters as JSON text, the expected code, the field
    /// the error must name (`OrderError.field` when given) and fragments of the message.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var command: String
        var json: String
        var code: ErrorCode
        var fragments: [String]
        var field: String? = nil

        var testDescription: String { label }
    }

    static let customer = #""customer": {"name": "Mette", "email": "mette@example.dk"}"#
    static func create(lines: String = #"[{"sku": "A", "name": "Vare", "qty": 1, "unit_price": 10000}]"#, extra: String = "") -> String {
        "{\(customer), \"lines\": \(lines)\(extra)}"
    }

    static let cases: [Case] = [
        // Malformed JSON.
        Case(label: "truncated JSON", command: "order.create", json: #"{"customer": "#, code: .invalid, fragments: ["end of input"]),
        Case(label: "trailing comma", command: "order.get", json: #"{"order": 1,}"#, code: .invalid, fragments: ["expected a string key"]),
        Case(label: "duplicate key", command: "order.get", json: #"{"order": 1, "order": 2}"#, code: .invalid, fragments: ["duplicate key \"order\""]),
        Case(label: "trailing data", command: "order.get", json: #"{"order": 1} x"#, code: .invalid, fragments: ["after the JSON value"]),
        Case(label: "single quotes", command: "order.get", json: "{'order': 1}", code: .invalid, fragments: ["expected a string key"]),
        Case(label: "nesting too deep", command: "order.get", json: String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
             code: .invalid, fragments: ["nesting deeper than 256"]),
        Case(label: "parameters not an object", command: "order.get", json: "[1]", code: .invalid, fragments: ["expected an object, got array"]),
        // Wrong types.
        Case(label: "order as string", command: "order.get", json: #"{"order": "1"}"#, code: .invalid,
             fragments: ["order:", "expected an integer, got string"], field: "order"),
        Case(label: "order as fraction", command: "order.get", json: #"{"order": 1.5}"#, code: .invalid, fragments: ["order:", "expected an integer"]),
        Case(label: "order zero", command: "order.get", json: #"{"order": 0}"#, code: .invalid, fragments: ["order:", "out of range"]),
        Case(label: "order missing", command: "order.get", json: "{}", code: .invalid, fragments: ["order: is required"]),
        Case(label: "qty as string", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "Vare", "qty": "2", "unit_price": 100}]"#),
             code: .invalid, fragments: ["lines[0].qty", "expected an integer, got string"], field: "lines[0].qty"),
        Case(label: "customer as string", command: "order.create", json: #"{"customer": "Mette", "lines": []}"#, code: .invalid,
             fragments: ["customer:", "expected an object, got string"]),
        Case(label: "line not an object", command: "order.create", json: "{\(customer), \"lines\": [1]}", code: .invalid,
             fragments: ["lines[0]:", "expected an object, got integer"]),
        Case(label: "customer null", command: "order.create", json: #"{"customer": null, "lines": []}"#, code: .invalid,
             fragments: ["customer: is required"]),
        Case(label: "lines as object", command: "order.create", json: "{\(customer), \"lines\": {\"sku\": \"A\"}}", code: .invalid,
             fragments: ["lines:", "expected an array, got object"]),
        Case(label: "notify as string", command: "order.create", json: create(extra: #", "notify": "yes""#), code: .invalid,
             fragments: ["notify:", "expected true or false"]),
        Case(label: "bad e-mail", command: "order.create", json: #"{"customer": {"name": "M", "email": "mette"}, "lines": [{"sku": "A", "name": "V", "qty": 1, "unit_price": 1}]}"#,
             code: .invalid, fragments: ["customer.email", "not an e-mail address"]),
        Case(label: "language not offered", command: "order.create",
             json: #"{"customer": {"name": "M", "email": "m@x.dk", "language": "de"}, "lines": [{"sku": "A", "name": "V", "qty": 1, "unit_price": 1}]}"#,
             code: .invalid, fragments: ["customer.language", "'de' is not one of da, en"]),
        Case(label: "lower-case currency", command: "order.create", json: create(extra: #", "currency": "dkk""#), code: .invalid,
             fragments: ["currency", "ISO 4217"]),
        Case(label: "pickup without location", command: "order.create", json: create(extra: #", "delivery": {"method": "pickup"}"#),
             code: .invalid, fragments: ["delivery.location", "is required"]),
        Case(label: "empty name", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "  ", "qty": 1, "unit_price": 1}]"#),
             code: .invalid, fragments: ["lines[0].name", "must not be empty"]),
        Case(label: "NUL in a string", command: "order.create", json: create(lines: #"[{"sku": "A\u0000", "name": "V", "qty": 1, "unit_price": 1}]"#),
             code: .invalid, fragments: ["lines[0].sku", "NUL"]),
        // Unknown fields.
        Case(label: "unknown top-level field", command: "order.create", json: create(extra: #", "colour": "red""#), code: .invalid,
             fragments: ["colour: unknown field"], field: "colour"),
        Case(label: "unknown customer field", command: "order.create",
             json: #"{"customer": {"name": "M", "email": "m@x.dk", "age": 40}, "lines": [{"sku": "A", "name": "V", "qty": 1, "unit_price": 1}]}"#,
             code: .invalid, fragments: ["customer.age: unknown field"]),
        Case(label: "unknown line field", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 1}, {"sku": "B", "name": "V", "qty": 1, "unit_price": 1, "color": "red"}]"#),
             code: .invalid, fragments: ["lines[1].color: unknown field"]),
        Case(label: "unknown field on order.get", command: "order.get", json: #"{"order": 1, "with": "lines"}"#, code: .invalid,
             fragments: ["with: unknown field", "accepted: order"]),
        Case(label: "unknown field on capture", command: "payment.capture", json: #"{"order": 1, "amout": 100}"#, code: .invalid,
             fragments: ["amout: unknown field"]),
        // Amounts.
        Case(label: "negative unit price", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": -100}]"#),
             code: .invalid, fragments: ["lines[0].unit_price", "must not be negative"]),
        Case(label: "fractional unit price", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 99.95}]"#),
             code: .invalid, fragments: ["lines[0].unit_price", "integer number of minor units"]),
        Case(label: "unit price above the maximum", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 100000000000001}]"#),
             code: .invalid, fragments: ["lines[0].unit_price", "exceeds the maximum"]),
        Case(label: "unit price beyond Int64", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 99999999999999999999}]"#),
             code: .invalid, fragments: ["lines[0].unit_price"]),
        Case(label: "qty × price overflows", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1000000, "unit_price": 100000000000000}]"#),
             code: .invalid, fragments: ["lines[0].unit_price", "exceeds the maximum"]),
        Case(label: "order total overflows", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 60000000000000}, {"sku": "B", "name": "V", "qty": 1, "unit_price": 60000000000000}]"#),
             code: .invalid, fragments: ["lines", "exceeds the maximum"]),
        Case(label: "VAT rate above 100 %", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 1, "vat_rate": 10001}]"#),
             code: .invalid, fragments: ["lines[0].vat_rate", "out of range"]),
        Case(label: "negative authorisation", command: "payment.authorize", json: #"{"order": 1, "amount": -5, "method": "visa"}"#,
             code: .invalid, fragments: ["amount:", "must not be negative"], field: "amount"),
        Case(label: "zero capture", command: "payment.capture", json: #"{"order": 1, "amount": 0}"#, code: .invalid,
             fragments: ["amount:", "greater than zero"]),
        Case(label: "capture above the maximum", command: "payment.capture", json: #"{"order": 1, "amount": 1e20}"#, code: .invalid,
             fragments: ["amount:", "minor units"]),
        Case(label: "authorisation above the order total", command: "payment.authorize", json: #"{"order": 1, "amount": 10001, "method": "visa"}"#,
             code: .invalid, fragments: ["amount:", "above its total of 100.00 DKK"]),
        // Lines.
        Case(label: "zero quantity", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "V", "qty": 0, "unit_price": 100}]"#),
             code: .invalid, fragments: ["lines[0].qty", "out of range 1...1000000"], field: "lines[0].qty"),
        Case(label: "negative quantity", command: "order.create", json: create(lines: #"[{"sku": "A", "name": "V", "qty": -1, "unit_price": 100}]"#),
             code: .invalid, fragments: ["lines[0].qty", "out of range"]),
        Case(label: "no lines", command: "order.create", json: create(lines: "[]"), code: .invalid, fragments: ["lines", "at least one line"]),
        Case(label: "duplicate SKU", command: "order.create",
             json: create(lines: #"[{"sku": "A", "name": "V", "qty": 1, "unit_price": 1}, {"sku": "A", "name": "V", "qty": 2, "unit_price": 1}]"#),
             code: .invalid, fragments: ["lines[1].sku", "duplicate sku 'A'"]),
        // Things that do not exist.
        Case(label: "unknown order", command: "order.get", json: #"{"order": 999}"#, code: .notFound, fragments: ["order 999 does not exist"]),
        Case(label: "unknown order on set_status", command: "order.set_status", json: #"{"order": 999, "status": "received"}"#,
             code: .notFound, fragments: ["order 999 does not exist"]),
        Case(label: "unknown order on capture", command: "payment.capture", json: #"{"order": 999}"#, code: .notFound,
             fragments: ["order 999 does not exist"]),
        Case(label: "unknown command", command: "order.destroy", json: #"{"order": 1}"#, code: .notFound,
             fragments: ["unknown command 'order.destroy'", "did you mean", "order.create"]),
        Case(label: "unknown command family", command: "basket.add", json: "{}", code: .notFound, fragments: ["unknown command 'basket.add'"]),
        // Rules.
        Case(label: "illegal transition", command: "order.set_status", json: #"{"order": 1, "status": "delivered"}"#, code: .policy,
             fragments: ["from 'received' to 'delivered'", "processing, shipped, ready_for_pickup, cancelled"], field: "status"),
        Case(label: "capture refused by policy", command: "payment.capture", json: #"{"order": 1}"#, code: .policy,
             fragments: ["on_hand_over"]),
        Case(label: "unknown capture policy", command: "settings.set", json: #"{"capture_policy": "whenever"}"#, code: .invalid,
             fragments: ["capture_policy", "'whenever' is not one of on_hand_over, on_ship, anytime"]),
        Case(label: "seller without VAT number", command: "settings.set", json: #"{"seller": {"name": "A", "address": "B"}}"#, code: .invalid,
             fragments: ["seller.vat_number", "is required"]),
        Case(label: "settings with an unknown field after a series start", command: "settings.set",
             json: #"{"invoice_number_start": 50, "capture_policy": "anytime", "colour": "red"}"#, code: .invalid,
             fragments: ["colour: unknown field"]),
        Case(label: "unknown filter value", command: "order.find", json: #"{"payment_state": "paid"}"#, code: .invalid,
             fragments: ["payment_state", "'paid' is not one of"]),
        Case(label: "limit out of range", command: "order.find", json: #"{"limit": 100000}"#, code: .invalid, fragments: ["limit", "out of range"]),
    ]

    /// A shop where order 1 exists: 100.00 DKK, authorised (status received), nothing shipped.
    static func shop() throws -> Shop {
        let shop = try Shop()
        let n = try shop.createOrder(lines: [Shop.line("A", "Vare", qty: 1, price: 10_000)])
        try shop.call("payment.authorize", ["order": .int(n), "amount": 10_000, "method": "visa"])
        return shop
    }

    @Test("refused with the right code, a message naming the field, and nothing stored", arguments: cases)
    func refused(_ c: Case) throws {
        let shop = try Self.shop()
        let before = try shop.checksum()
        let error = #expect(throws: OrderError.self) { try shop.engine.call(c.command, json: c.json) }
        if let error {
            #expect(error.code == c.code, "\(error)")
            for f in c.fragments { #expect(error.message.contains(f), "\"\(error.message)\" should contain \"\(f)\"") }
            if let field = c.field { #expect(error.field == field, "\(error)") }
        }
        #expect(try shop.checksum() == before)
        // The engine is fine afterwards.
        #expect(try shop.order(1)["status"]?.stringValue == "received")
    }

    @Test("the JSON text API answers with compact JSON text")
    func jsonText() throws {
        let shop = try Self.shop()
        let text = try shop.engine.call("order.count", json: #"{"status": "received"}"#)
        #expect(text == #"{"count":1}"#)
        let created = try shop.engine.call("order.create", json: Self.create())
        #expect(created.hasPrefix(#"{"order":2,"#))
    }

    @Test("a closed engine refuses every call with misuse")
    func closed() throws {
        let shop = try Self.shop()
        shop.engine.close()
        expectError(.misuse, "closed") { try shop.order(1) }
        expectError(.misuse, "closed") { try shop.createOrder() }
    }

    @Test("strings longer than allowed are refused with their limit")
    func tooLong() throws {
        let shop = try Self.shop()
        let long = String(repeating: "x", count: 201)
        try expectRefused(shop, .invalid, "customer.name", "longer than 200 characters") {
            try shop.createOrder(customer: Shop.customer(name: long))
        }
    }
}
