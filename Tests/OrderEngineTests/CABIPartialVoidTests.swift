import COrderEngineABI
import OrderCore
import OrderEngineC
import Testing

/// The C host's payment port and partial voids: a host that does not declare them (every host
/// written before) never gets one; `"payment_partial_void": true` opts in.
@Suite struct CABIPartialVoidTests {
    static let seller = #"{"seller":{"name":"Nordisk Kaffe ApS","address":"Vestergade 1, 8000 Aarhus C","vat_number":"DK13585628"}}"#
    static let order = #"{"customer":{"name":"Mette","email":"mette@example.dk"},"lines":[{"sku":"A","name":"Kaffe","qty":2,"unit_price":10000}],"delivery":{"method":"shipping","carrier":"GLS"}}"#

    /// Opens with `config`, sets a host payment port approving everything, authorises 200.00 kr.
    /// and edits the order down to one unit; returns the edit's result and the port's requests.
    private func editDown(_ config: String) throws -> (JSON, [String]) {
        let e = try ABI.open(nil, config)
        defer { _ = oeClose(e) }
        let bank = ScriptedPort { _ in (0, #"{"status":"approved","reference":"nets-1"}"#) }
        #expect(oeSetPort(e, "payment", scriptedCallback, bank.pointer) == 0)
        for (c, p) in [("settings.set", CABIPartialVoidTests.seller), ("order.create", CABIPartialVoidTests.order),
                       ("payment.authorize", #"{"order":1,"amount":20000,"method":"visa"}"#)] {
            #expect(ABI.call(e, c, p).rc == 0, "\(c): \(ABI.errmsg(e))")
        }
        let r = ABI.call(e, "order.edit", #"{"order":1,"set_qty":[{"sku":"A","qty":1}],"reason":"Kunden ringede"}"#)
        #expect(r.rc == 0, "\(ABI.errmsg(e))")
        let voided = try JSONParser.parse(ABI.call(e, "order.get", #"{"order":1}"#).out ?? "")["voided"]
        return (try JSONParser.parse(r.out ?? "").with("voided_after", voided), bank.requests)
    }

    @Test func aHostThatDidNotOptInGetsNoVoidAndKeepsTheSurplusReserved() throws {
        let (r, requests) = try editDown(#"{"payment_gateway":"nets"}"#)
        #expect(r["releasing"] == 0)
        #expect(r["voided_after"] == 0)
        #expect(requests.isEmpty)
    }

    @Test func payment_partial_voidTrueSendsOnePartialVoidOfTheSurplus() throws {
        let (r, requests) = try editDown(#"{"payment_gateway":"nets","payment_partial_void":true}"#)
        #expect(r["releasing"] == 10000)
        #expect(r["voided_after"] == 10000)
        #expect(requests.count == 1)
        let void = try JSONParser.parse(requests[0])
        #expect(void["operation"] == "void")
        #expect(void["partial"] == true)
        #expect(void["amount"] == 10000)
    }

    @Test func aPartialVoidFlagThatIsNotABooleanIsRefused() throws {
        var e: OpaquePointer?
        #expect(oeOpen(":memory:", #"{"payment_partial_void":"yes"}"#, &e) == 2)  // OE_INVALID
        #expect(e == nil)
        #expect(String(cString: oeErrmsg(nil)!).contains("payment_partial_void"))
    }
}

private extension JSON {
    func with(_ key: String, _ value: JSON?) -> JSON {
        guard case .object(var o) = self else { return self }
        o[key] = value ?? .null
        return .object(o)
    }
}
