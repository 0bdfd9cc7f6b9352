import Foundation
import GRDB
import COrderEngineABI
import OrderCore
import OrderEngine
import OrderEngineC
import Testing

/// What a host embedding the C library relies on: no simulator unless asked, misuse (also
/// re-entering from a port callback) answered with OE_MISUSE, `oe_close` waiting for callbacks,
/// structured errors, and someone else's database left alone.
@Suite struct CABIEmbeddingTests {
    static let order = #"{"customer":{"name":"Mette","email":"mette@example.dk"},"lines":[{"sku":"A","name":"Kaffe","qty":1,"unit_price":10000}],"delivery":{"method":"shipping","carrier":"GLS"}}"#

    // MARK: - No simulator unless asked

    @Test func withoutPortsCapturesAndLabelsFailWithPortAndSayHow() throws {
        let e = try ABI.open(nil, #"{}"#)
        defer { _ = oeClose(e) }
        try ABI.paidOrder(e)
        let capture = ABI.call(e, "payment.capture", #"{"order":1}"#)
        #expect(capture.rc == 6)
        #expect(capture.out == nil)
        #expect(ABI.errmsg(e).contains("no payment gateway is configured"))
        #expect(ABI.errmsg(e).contains("oe_set_port"))
        let label = ABI.call(e, "shipment.create", #"{"order":1}"#)
        #expect(label.rc == 6)
        #expect(ABI.errmsg(e).contains("no carrier is configured"))
        #expect(ABI.call(e, "gateway.simulate", #"{"order":1,"behaviour":"decline"}"#).rc == 1)
        // Nothing was recorded by the refused capture.
        #expect(ABI.call(e, "payment.check", "{}").out?.contains(#""pending_effects":[]"#) == true)
    }

    @Test func simulateTrueTurnsTheSimulatorsOnUntilAHostPortIsSet() throws {
        let e = try ABI.open(nil, #"{"simulate":true}"#)
        defer { _ = oeClose(e) }
        try ABI.paidOrder(e)
        #expect(ABI.call(e, "gateway.simulate", #"{"order":1,"behaviour":"approve"}"#).rc == 0)
        let probe = PortProbe(e, answer: #"{"status":"approved","reference":"host-1"}"#)
        #expect(oeSetPort(e, "payment", probeCallback, probe.pointer) == 0)
        let sim = ABI.call(e, "gateway.simulate", #"{"order":1,"behaviour":"approve"}"#)
        #expect(sim.rc == 1)
        #expect(ABI.errmsg(e).contains("not in use"))
        #expect(ABI.call(e, "payment.capture", #"{"order":1}"#).rc == 0)
        #expect(probe.calls == 1)
        _ = probe
    }

    // MARK: - Double charge at open

    @Test func aHostsPendingCaptureIsResolvedOnlyByItsOwnGatewayNeverByTheSimulator() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("shop.sqlite").path
        let bank = ScriptedPort { request in  // the real gateway: it drew the money, the answer got lost
            if request.contains(#""operation":"lookup""#) { return (0, #"{"status":"approved","reference":"nets-1"}"#) }
            return (1, "read timed out")
        }
        let down = ScriptedPort { _ in (1, "status API down") }
        let early = ScriptedPort { _ in (0, #"{"now":"2026-11-23T08:00:00Z"}"#) }
        let later = ScriptedPort { _ in (0, #"{"now":"2026-11-23T08:10:00Z"}"#) }
        do {
            let e = try ABI.open(path, #"{"payment_gateway":"nets"}"#)
            #expect(oeSetPort(e, "clock", scriptedCallback, early.pointer) == 0)
            #expect(oeSetPort(e, "payment", scriptedCallback, down.pointer) == 0)
            try ABI.paidOrder(e)
            #expect(ABI.call(e, "payment.capture", #"{"order":1}"#).rc == 6)
            #expect(oeClose(e) == 0)
        }
        // Reopened with the simulator on and the host's gateway not set yet.
        let e = try ABI.open(path, #"{"simulate":true,"payment_gateway":"nets"}"#)
        defer { _ = oeClose(e) }
        #expect(oeSetPort(e, "clock", scriptedCallback, later.pointer) == 0)
        #expect(ABI.call(e, "order.create", CABIEmbeddingTests.order).rc == 0)  // a write: the simulator's reconcile
        let check = try JSONParser.parse(ABI.call(e, "payment.check", "{}").out ?? "")
        #expect(check["pending_effects"]?[0]?["gateway"] == "nets")
        #expect(check["pending_effects"]?[0]?["resolvable"] == false)
        #expect(try JSONParser.parse(ABI.call(e, "order.get", #"{"order":1}"#).out ?? "")["captured"] == 0)
        #expect(ABI.call(e, "payment.capture", #"{"order":1}"#).rc == 3, "in flight: no second capture (conflict)")
        // The host plugs in its gateway: the next write resolves the capture with it.
        #expect(oeSetPort(e, "payment", scriptedCallback, bank.pointer) == 0)
        #expect(ABI.call(e, "order.create", CABIEmbeddingTests.order).rc == 0)
        #expect(try JSONParser.parse(ABI.call(e, "order.get", #"{"order":1}"#).out ?? "")["captured"] == 10000)
        #expect(bank.requests.filter { $0.contains(#""operation":"capture""#) }.count == 0, "never asked to capture again")
        #expect(bank.requests.contains { $0.contains(#""operation":"lookup""#) })
    }

    // MARK: - Re-entrancy from every port

    @Test(arguments: ["payment", "carrier", "mail", "clock"])
    func reenteringFromACallbackIsMisuseNotACrash(port: String) throws {
        let e = try ABI.open(nil, #"{"simulate":true}"#)
        defer { _ = oeClose(e) }
        try ABI.paidOrder(e)
        let answer = switch port {
        case "payment": #"{"status":"approved","reference":"r-1"}"#
        case "carrier": #"{"tracking":"GLS-1"}"#
        case "clock": #"{"now":"2026-11-23T08:00:00Z"}"#
        default: "{}"
        }
        let probe = PortProbe(e, answer: answer, reenter: true)
        #expect(oeSetPort(e, port, probeCallback, probe.pointer) == 0)
        let r: (rc: Int32, out: String?)
        switch port {
        case "payment": r = ABI.call(e, "payment.capture", #"{"order":1}"#)
        case "carrier": r = ABI.call(e, "shipment.create", #"{"order":1}"#)
        case "mail":
            #expect(ABI.call(e, "outbox.queue", #"{"to":"a@example.dk","subject":"Hej","body":"Tak"}"#).rc == 0)
            r = ABI.call(e, "outbox.deliver", "{}")
        default: r = ABI.call(e, "order.count", "{}")
        }
        #expect(r.rc == 0, "\(ABI.errmsg(e))")
        #expect(probe.calls >= 1)
        let seen = probe.reentries
        #expect(!seen.isEmpty)
        for s in seen {
            #expect(s.rc == 8, "\(s)")
            #expect(s.outWasCleared)
            #expect(s.message.contains("from inside the \(port) port callback"), "\(s.message)")
        }
        // The engine is fine afterwards.
        #expect(ABI.call(e, "order.get", #"{"order":1}"#).rc == 0)
    }

    // MARK: - oe_close waits for callbacks in flight

    @Test func closeWaitsForTheCallbackInFlightAndNoneStartsAfter() throws {
        let e = try ABI.open(nil, #"{"simulate":true}"#)
        try ABI.paidOrder(e)
        let probe = PortProbe(e, answer: #"{"tracking":"GLS-9"}"#, sleepMs: 300)
        #expect(oeSetPort(e, "carrier", probeCallback, probe.pointer) == 0)
        let handle = UInt(bitPattern: UnsafeRawPointer(e))
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Int32>(-1)
        Thread.detachNewThread {
            var out: UnsafeMutablePointer<CChar>?
            let rc = oeCall(OpaquePointer(bitPattern: handle), "shipment.create", #"{"order":1}"#, &out)
            oeFree(out)
            result.withLock { $0 = rc }
            done.signal()
        }
        while probe.started == 0 { usleep(1000) }
        #expect(oeClose(e) == 0)
        // When oe_close returned, the callback had finished: the host may free its userdata.
        #expect(probe.finished == 1)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(result.value == 0)
        // Every later call is refused.
        #expect(ABI.call(e, "order.count", "{}").rc == 8)
        #expect(probe.started == 1)
    }

    // MARK: - Structured errors and out-pointers

    @Test func errjsonGivesCodeNameMessageAndField() throws {
        let e = try ABI.open(nil, nil)
        defer { _ = oeClose(e) }
        #expect(ABI.errjson(e) == ["code": 0, "code_name": "ok", "message": "", "field": nil])
        let r = ABI.call(e, "order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"A","name":"A","qty":0,"unit_price":100}]}"#)
        #expect(r.rc == 2)
        let j = ABI.errjson(e)
        #expect(j["code"] == 2)
        #expect(j["code_name"] == "invalid")
        #expect(j["field"] == "lines[0].qty")
        #expect(j["message"]?.stringValue == ABI.errmsg(e))
        // Misuse without a handle is reported on the NULL handle.
        #expect(ABI.call(nil, "order.count", "{}").rc == 8)
        #expect(ABI.errjson(nil)["code_name"] == "misuse")
    }

    @Test func outPointersAreClearedOnEveryPathIncludingMisuse() throws {
        let junk = UnsafeMutablePointer<CChar>(bitPattern: 0xdead)
        var out: UnsafeMutablePointer<CChar>? = junk
        #expect(oeCall(nil, "order.count", "{}", &out) == 8)
        #expect(out == nil)
        out = junk
        #expect(oeScriptEval(nil, "return 1", &out) == 8)
        #expect(out == nil)
        var engine = OpaquePointer(bitPattern: 0xbeef)
        #expect(oeOpen(nil, #"{"nope":1}"#, &engine) == 2)
        #expect(engine == nil)
        let e = try ABI.open(nil, nil)
        defer { _ = oeClose(e) }
        out = junk
        #expect(oeCall(e, nil, "{}", &out) == 8)
        #expect(out == nil)
        let p = oeAlloc(16)
        #expect(p != nil)
        oeFree(p)
        #expect(String(cString: oeVersion()!) == OE_VERSION)
    }

    // MARK: - Someone else's database

    @Test(.enabled(if: TestDatabase.isSQLite, "an SQLite file of another application (ForeignCheck, the -wal file)"))
    func aForeignDatabaseIsRefusedAndLeftUnchanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("blog.db").path
        let other = try DatabaseQueue(path: path)
        try other.write { db in try db.execute(sql: "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO posts (title) VALUES ('hej')") }
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var e: OpaquePointer?
        #expect(oeOpen(path, nil, &e) == 7)
        #expect(e == nil)
        #expect(String(cString: oeErrmsg(nil)!).contains("not an OrderEngine database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        // An engine database opens again (and an empty file becomes one).
        let shop = dir.appendingPathComponent("shop.sqlite").path
        FileManager.default.createFile(atPath: shop, contents: Data())
        let first = try ABI.open(shop, nil)
        #expect(oeClose(first) == 0)
        let again = try ABI.open(shop, nil)
        #expect(oeClose(again) == 0)
    }
}

// MARK: - Helpers

enum ABI {
    static func open(_ path: String?, _ config: String?) throws -> OpaquePointer {
        var e: OpaquePointer?
        let rc = oeOpen(path, config, &e)
        guard rc == 0, let e else { throw OrderError(.storage, "oe_open \(rc): \(String(cString: oeErrmsg(nil)!))") }
        return e
    }

    static func call(_ e: OpaquePointer?, _ command: String, _ params: String) -> (rc: Int32, out: String?) {
        var out: UnsafeMutablePointer<CChar>?
        let rc = oeCall(e, command, params, &out)
        defer { oeFree(out) }
        return (rc, out.map { String(cString: $0) })
    }

    static func errmsg(_ e: OpaquePointer?) -> String { String(cString: oeErrmsg(e)!) }

    static func errjson(_ e: OpaquePointer?) -> JSON { (try? JSONParser.parse(String(cString: oeErrjson(e)!))) ?? .null }

    /// Order 1, fully authorised, capture policy anytime.
    static func paidOrder(_ e: OpaquePointer) throws {
        for (c, p) in [("order.create", CABIEmbeddingTests.order), ("payment.authorize", #"{"order":1,"amount":10000,"method":"visa"}"#),
                       ("settings.set", #"{"capture_policy":"anytime","seller":{"name":"Nordisk Kaffe ApS","address":"Vestergade 1, 8000 Aarhus C","vat_number":"DK13585628"}}"#)] {
            let r = call(e, c, p)
            guard r.rc == 0 else { throw OrderError(.storage, "\(c): \(errmsg(e))") }
        }
    }
}

/// A host port: answers `answer`; with `reenter` first calls back into the engine (and records
/// what the library said); with `sleepMs` takes its time.
final class PortProbe: @unchecked Sendable {
    struct Reentry: CustomStringConvertible {
        var rc: Int32
        var outWasCleared: Bool
        var message: String
        var description: String { "rc \(rc): \(message)" }
    }

    let engine: OpaquePointer
    let answer: String
    let reenter: Bool
    let sleepMs: UInt32
    private let state = Locked((calls: 0, started: 0, finished: 0, reentries: [Reentry]()))

    init(_ engine: OpaquePointer, answer: String, reenter: Bool = false, sleepMs: UInt32 = 0) {
        self.engine = engine
        self.answer = answer
        self.reenter = reenter
        self.sleepMs = sleepMs
    }

    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
    var calls: Int { state.value.calls }
    var started: Int { state.value.started }
    var finished: Int { state.value.finished }
    var reentries: [Reentry] { state.value.reentries }

    func handle(_ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        state.withLock { $0.calls += 1; $0.started += 1 }
        if reenter {
            var out = UnsafeMutablePointer<CChar>(bitPattern: 0x1)
            let rc = oeCall(engine, "order.count", "{}", &out)
            let message = String(cString: oeErrmsg(engine)!)
            var more = [Reentry(rc: rc, outWasCleared: out == nil, message: message)]
            more.append(Reentry(rc: oeSetPort(engine, "mail", nil, nil), outWasCleared: true, message: String(cString: oeErrmsg(engine)!)))
            more.append(Reentry(rc: oeClose(engine), outWasCleared: true, message: String(cString: oeErrmsg(engine)!)))
            state.withLock { $0.reentries += more }
        }
        if sleepMs > 0 { usleep(sleepMs * 1000) }
        let copy = oeAlloc(answer.utf8.count + 1)!.assumingMemoryBound(to: CChar.self)
        _ = answer.withCString { strcpy(copy, $0) }
        response?.pointee = copy
        state.withLock { $0.finished += 1 }
        return 0
    }
}

/// A host port whose answers a closure gives (status code, text); it records the requests.
final class ScriptedPort: @unchecked Sendable {
    let script: (String) -> (Int32, String)
    private let seen = Locked<[String]>([])
    init(_ script: @escaping (String) -> (Int32, String)) { self.script = script }
    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
    var requests: [String] { seen.value }

    func handle(_ request: String, _ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        seen.withLock { $0.append(request) }
        let (rc, text) = script(request)
        let copy = oeAlloc(text.utf8.count + 1)!.assumingMemoryBound(to: CChar.self)
        _ = text.withCString { strcpy(copy, $0) }
        response?.pointee = copy
        return rc
    }
}

func scriptedCallback(_ userdata: UnsafeMutableRawPointer?, _ request: UnsafePointer<CChar>?,
                      _ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    Unmanaged<ScriptedPort>.fromOpaque(userdata!).takeUnretainedValue().handle(String(cString: request!), response)
}

/// The C callback of every `PortProbe` (a global function: no captures).
func probeCallback(_ userdata: UnsafeMutableRawPointer?, _ request: UnsafePointer<CChar>?,
                   _ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    Unmanaged<PortProbe>.fromOpaque(userdata!).takeUnretainedValue().handle(response)
}
