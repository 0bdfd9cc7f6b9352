import OrderCore
import OrderEngine
import OrderEngineC
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A generated corpus of malformed and hostile requests (well over 200), each sent through the
/// engine's JSON entry and through the C ABI: every one is a clear error with a status code
/// (never a crash, never `storage`), and the database's checksum is unchanged.
@Suite struct BadInputCorpusTests {
    static let valid: [(String, JSON)] = [
        ("order.create", Shop.orderParams()),
        ("order.get", ["order": 1]),
        ("order.set_status", ["order": 1, "status": "processing"]),
        ("payment.authorize", ["order": 1, "amount": 100, "method": "visa"]),
        ("payment.capture", ["order": 1, "amount": 100]),
        ("shipment.create", ["order": 1, "lines": [["sku": "MUG", "qty": 1]]]),
        ("credit_note.create", ["order": 1, "amount": 100, "reason": "x"]),
        ("order.find", ["status": "received", "limit": 10]),
        ("settings.set", ["capture_policy": "on_ship"]),
        ("status.define", ["key": "x", "labels": ["da": "X", "en": "X"]]),
        ("outbox.ack", ["ids": [1]]),
        ("orders.mass_update", ["filter": [:], "action": ["add_tag": "x"]]),
    ]

    /// Mutations of a valid request that must be refused.
    static func mutations(_ params: JSON) -> [String] {
        guard case .object(let o) = params else { return [] }
        var out: [String] = []
        let hostileValues: [JSON] = [.null, .bool(true), .int(-1), .int(Int64.max), .double(1.5), .double(1e300),
                                     .string(""), .string(String(repeating: "x", count: 5000)), .array([]), .object(JSONObject())]
        for key in o.keys {
            for v in hostileValues {
                var m = o
                m[key] = v
                if m[key] == o[key] { continue }
                out.append(JSON.object(m).compactText)
            }
            var without = o
            without[key] = nil
            out.append(JSON.object(without).compactText)
        }
        var extra = o
        extra["unexpected_field"] = 1
        out.append(JSON.object(extra).compactText)
        return out
    }

    /// Requests that are not valid JSON objects at all.
    static let garbage: [String] = [
        "", " ", "null", "[]", "[1,2]", "\"text\"", "42", "true", "{", "}", "{\"order\":}", "{\"order\":1,}", "{'order':1}",
        "{\"order\":1 \"x\":2}", "{\"order\":01}", "{\"order\":1e5000}", "{\"order\":\"\\ud800\"}", "{\"a\":\"\\x\"}",
        String(repeating: "[", count: 10_000), String(repeating: "{\"a\":", count: 300) + "1" + String(repeating: "}", count: 300),
        "{\"order\":1}garbage", "\u{feff}{\"order\":1}", "{\"order\":1,\"order\":2}", "{\"order\":-0}", "{\"text\":\"\u{0}\"}",
    ]

    static func isClear(_ code: Int32) -> Bool {
        [ErrorCode.invalid, .notFound, .conflict, .policy].map(\.rawValue).contains(code)
    }

    @Test func everyBadRequestIsAClearErrorAndChangesNothing() throws {
        let shop = try Shop()
        try shop.paidOrder()
        var requests: [(String, String)] = []
        for (command, params) in Self.valid {
            for m in Self.mutations(params) { requests.append((command, m)) }
            for g in Self.garbage { requests.append((command, g)) }
        }
        requests += [("order.nope", "{}"), ("", "{}"), ("order.get\u{0}", "{\"order\":1}"), ("ORDER.GET", "{\"order\":1}")]
        var refused = 0
        var accepted: [String] = []
        for (command, text) in requests {
            let before = try shop.checksum()
            do {
                // A mutation that is still a valid request (an optional field left out) is not
                // bad input: it may do its work, and is left out of the count.
                _ = try shop.engine.call(command, json: text)
                accepted.append("\(command) \(text.prefix(60))")
            } catch {
                refused += 1
                #expect(Self.isClear(error.code.rawValue), "\(command) \(text.prefix(80)): \(error)")
                #expect(!error.message.isEmpty)
                if try shop.checksum() != before {
                    Issue.record("\(command) \(text.prefix(80)) was refused but changed the database")
                }
            }
        }
        #expect(refused >= 200, "refused \(refused)")
        print("bad-input corpus: \(refused) requests refused cleanly, \(accepted.count) mutations were valid requests")
    }

    @Test func theSameCorpusThroughTheCABI() throws {
        var engine: OpaquePointer?
        #expect(oeOpen(nil, nil, &engine) == 0)
        defer { _ = oeClose(engine) }
        var out: UnsafeMutablePointer<CChar>?
        #expect(oeCall(engine, "order.create", Shop.orderParams().compactText, &out) == 0)
        oeFree(out)
        var refused = 0
        for (command, params) in Self.valid {
            for text in Self.mutations(params) + Self.garbage {
                out = nil
                let rc = oeCall(engine, command, text, &out)
                if rc == 0 { oeFree(out); continue }
                refused += 1
                #expect(Self.isClear(rc), "\(command) \(text.prefix(80)): \(rc) \(String(cString: oeErrmsg(engine)!))")
                #expect(out == nil)
                #expect(strlen(oeErrmsg(engine)!) > 0)
            }
        }
        // Invalid UTF-8 in the command and the parameters.
        let bad: [CChar] = [CChar(bitPattern: 0xFF), CChar(bitPattern: 0xFE), 0]
        #expect(oeCall(engine, bad, "{}", &out) == ErrorCode.invalid.rawValue)
        #expect(oeCall(engine, "order.get", bad, &out) == ErrorCode.invalid.rawValue)
        #expect(refused >= 200)
    }
}
