import Foundation
import OrderCore
import OrderEngineC
import Testing

/// 8 threads × mixed commands through the C ABI on one engine handle (run under
/// ThreadSanitizer by scripts/sanitizers): nothing lost, each thread its own last error.
@Suite struct CABIThreadTests {
    @Test func eightThreadsShareOneHandle() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-cabi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var engine: OpaquePointer?
        #expect(oeOpen(dir.appendingPathComponent("shop.sqlite").path, nil, &engine) == 0)
        defer { _ = oeClose(engine) }
        let handle = UInt(bitPattern: UnsafeRawPointer(engine!))
        let group = DispatchGroup()
        let failures = Failures()
        for t in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let e = OpaquePointer(bitPattern: handle)
                for i in 0..<15 {
                    var out: UnsafeMutablePointer<CChar>?
                    let create = #"{"customer":{"name":"T\#(t)","email":"t\#(t)@example.dk"},"lines":[{"sku":"A","name":"A","qty":1,"unit_price":100}]}"#
                    guard oeCall(e, "order.create", create, &out) == 0, let text = out.map({ String(cString: $0) }) else {
                        failures.add("create \(t)/\(i)"); continue
                    }
                    oeFree(out)
                    let n = (try? JSONParser.parse(text))?["order"]?.intValue ?? 0
                    out = nil
                    if oeCall(e, "payment.authorize", #"{"order":\#(n),"amount":100,"method":"visa"}"#, &out) != 0 { failures.add("authorize \(n)") }
                    oeFree(out)
                    out = nil
                    if oeCall(e, "order.find", #"{"status":"received","limit":5}"#, &out) != 0 { failures.add("find") }
                    oeFree(out)
                    out = nil
                    if oeCall(e, "order.get", #"{"order":\#(900_000 + t)}"#, &out) != 1 { failures.add("not found expected") }
                    if !String(cString: oeErrmsg(e)!).contains("\(900_000 + t)") { failures.add("another thread's error message") }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.list.isEmpty, "\(failures.list)")
        var out: UnsafeMutablePointer<CChar>?
        #expect(oeCall(engine, "order.count", "{}", &out) == 0)
        #expect(out.map { String(cString: $0) } == #"{"count":120}"#)
        oeFree(out)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
