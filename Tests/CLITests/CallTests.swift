import OrderCore
import OrderStore
import Testing

/// `oe call`: JSON on stdout and exit 0 on success; `error[<code>]: message` on stderr and the
/// code's number as exit status on failure, with nothing stored.
@Suite struct CallTests {
    @Test func createAndGetPrintJSON() throws {
        let db = try OE.tempDatabase()
        let created = try OE.run(["call", "order.create", OE.orderParams, "--db", db])
        #expect(created.status == 0, "\(created.stderr)")
        let order = try JSONParser.parse(created.stdout)
        #expect(order["order"] == 1)
        #expect(order["total"] == 35800)
        #expect(order["status"] == "pending_payment")
        let got = try OE.run(["call", "order.get", #"{"order":1}"#, "--db", db])
        #expect(got.status == 0)
        #expect(try JSONParser.parse(got.stdout)["customer"]?["name"] == "Mette Jensen")
    }

    @Test func parametersFromStandardInput() throws {
        let db = try OE.tempDatabase()
        let r = try OE.run(["call", "order.create", "-", "--db", db], stdin: OE.orderParams)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONParser.parse(r.stdout)["order"] == 1)
    }

    /// Each failure kind: exit status = C status code, message on stderr, stdout empty.
    @Test(arguments: [
        (["order.create", "{\"customer\": "], Int32(2), "error[invalid]: malformed JSON"),
        (["order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":0,"unit_price":100}]}"#], 2, "lines[0].qty"),
        (["order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":1,"unit_price":-5}]}"#], 2, "lines[0].unit_price"),
        (["order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":1,"unit_price":99999999999999999999}]}"#], 2, "lines[0].unit_price"),
        (["order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":1,"unit_price":100}],"colour":"red"}"#], 2, "colour: unknown field"),
        (["order.get", #"{"order":"1"}"#], 2, "order: expected an integer"),
        (["order.get", #"{"order":999}"#], 1, "error[not_found]: order 999 does not exist"),
        (["order.fly", "{}"], 1, "error[not_found]: unknown command 'order.fly'"),
        (["order.set_status", #"{"order":1,"status":"delivered"}"#], 4, "cannot move from 'received' to 'delivered'; from 'received' it may move to: processing, shipped"),
        (["order.set_status", #"{"order":1,"status":"received","expected_version":7}"#], 3, "error[conflict]"),
        (["payment.capture", #"{"order":1}"#], 4, "error[policy]"),
    ] as [([String], Int32, String)])
    func failuresExitWithTheirCodeAndStoreNothing(args: [String], status: Int32, message: String) throws {
        let db = try OE.tempDatabase()
        #expect(try OE.run(["call", "order.create", OE.orderParams, "--db", db]).status == 0)
        // Authorised, so the order is in 'received' and a capture is refused only by the policy.
        #expect(try OE.run(["call", "payment.authorize", #"{"order":1,"amount":35800,"method":"visa"}"#, "--db", db]).status == 0)
        let before = try OrderStore(path: db).contentChecksum()
        let r = try OE.run(["call"] + args + ["--db", db])
        #expect(r.status == status, "stderr: \(r.stderr)")
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try OrderStore(path: db).contentChecksum() == before)
    }

    @Test func jsonErrorsHaveTheShapeOfOeErrjson() throws {
        let db = try OE.tempDatabase()
        let bad = #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":0,"unit_price":100}]}"#
        let r = try OE.run(["call", "order.create", bad, "--db", db, "--json"])
        #expect(r.status == 2)
        let e = try JSONParser.parse(r.stderr.trimmingSpaces)
        #expect(e["code"] == 2)
        #expect(e["code_name"] == "invalid")
        #expect(e["field"] == "lines[0].qty")
        #expect(e["message"]?.stringValue?.hasPrefix("lines[0].qty: ") == true)
        let missing = try OE.run(["call", "order.get", #"{"order":9}"#, "--db", db, "--json"])
        #expect(try JSONParser.parse(missing.stderr.trimmingSpaces) == ["code": 1, "code_name": "not_found", "message": "order 9 does not exist", "field": nil])
    }

    @Test func withoutSimulateThereIsNoGatewayOrCarrier() throws {
        let db = try OE.tempDatabase()
        #expect(try OE.run(["call", "order.create", OE.orderParams, "--db", db]).status == 0)
        #expect(try OE.run(["call", "payment.authorize", #"{"order":1,"amount":35800,"method":"visa"}"#, "--db", db]).status == 0)
        #expect(try OE.run(["call", "settings.set", #"{"capture_policy":"anytime","seller":{"name":"Nordisk Kaffe ApS","address":"Vestergade 1, 8000 Aarhus C","vat_number":"DK13585628"}}"#, "--db", db]).status == 0)
        let before = try OrderStore(path: db).contentChecksum()
        let capture = try OE.run(["call", "payment.capture", #"{"order":1}"#, "--db", db])
        #expect(capture.status == 6)
        #expect(capture.stderr.contains("no payment gateway is configured"), "\(capture.stderr)")
        #expect(capture.stderr.contains("--simulate"))
        #expect(try OrderStore(path: db).contentChecksum() == before)
        #expect(try OE.run(["call", "gateway.simulate", #"{"order":1,"behaviour":"decline"}"#, "--db", db]).status == 1)
        let simulated = try OE.run(["call", "payment.capture", #"{"order":1}"#, "--db", db, "--simulate"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        #expect(try JSONParser.parse(simulated.stdout)["captured"] == 35800)
    }

    @Test func badDurabilityIsAUsageError() throws {
        let r = try OE.run(["call", "order.count", "{}", "--db", ":memory:", "--durability", "sometimes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--durability"))
    }

    @Test func commandsListsTheRegistry() throws {
        let r = try OE.run(["commands"])
        #expect(r.status == 0)
        for name in ["order.create", "payment.capture", "payment.check", "credit_note.create", "outbox.ack", "status.define"] {
            #expect(r.stdout.contains(name))
        }
    }
}
