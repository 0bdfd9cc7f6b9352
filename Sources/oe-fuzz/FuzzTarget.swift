import OrderCore
import OrderEngine
import OrderEngineC
import OrderScript

/// libFuzzer entry (built by scripts/fuzz with -sanitize=fuzzer,address). The first byte picks
/// the target:
///  - even: `oe_call` — the rest is "command\0params-json" (or all params when there is no NUL)
///    sent through the C ABI to one in-memory engine with a few orders;
///  - odd: the Lua value conversion — the rest, if it is JSON, goes into the sandbox and back
///    (JSON → tagged bytes → Lua tables → tagged bytes → JSON) and must come back equal up to
///    the documented differences (nulls in objects dropped, empty arrays as objects).
/// Any crash, sanitizer report or broken invariant stops the fuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzBody(data, size)
}

func fuzzBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes[0] % 2 == 0 {
        FuzzState.shared.call(Array(bytes.dropFirst()))
    } else {
        FuzzState.shared.convert(Array(bytes.dropFirst()))
    }
    return 0
}

final class FuzzState: @unchecked Sendable {
    static let shared = FuzzState()
    let engine: OpaquePointer
    let host: LuaHost

    init() {
        var e: OpaquePointer?
        precondition(oeOpen(nil, #"{"simulate": true, "limits": {"instructions": 1000000, "memory_bytes": 16777216}}"#, &e) == 0)
        engine = e!
        for _ in 0..<3 {
            var out: UnsafeMutablePointer<CChar>?
            _ = oeCall(engine, "order.create", #"{"customer":{"name":"A","email":"a@b.dk"},"lines":[{"sku":"X","name":"X","qty":2,"unit_price":100}]}"#, &out)
            oeFree(out)
        }
        let standalone = try! Engine(path: ":memory:", configuration: .simulated())
        host = try! LuaHost(engine: standalone)
        _ = try! host.eval("function identity(x) return x end")
    }

    func call(_ bytes: [UInt8]) {
        let split = bytes.firstIndex(of: 0)
        let command = split.map { Array(bytes[..<$0]) } ?? Array("order.get".utf8)
        let params = split.map { Array(bytes[bytes.index(after: $0)...]) } ?? bytes
        var out: UnsafeMutablePointer<CChar>?
        let rc = (command + [0]).withUnsafeBufferPointer { c in
            (params + [0]).withUnsafeBufferPointer { p in
                c.baseAddress!.withMemoryRebound(to: CChar.self, capacity: c.count) { cc in
                    p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { pp in oeCall(engine, cc, pp, &out) }
                }
            }
        }
        if rc == 0 {
            precondition(out != nil, "success without a result")
            oeFree(out)
        } else {
            precondition(out == nil, "a result on failure")
            precondition(rc >= 1 && rc <= 9, "status code out of range: \(rc)")
            precondition(oeErrmsg(engine) != nil, "no message")
        }
    }

    func convert(_ bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes: bytes) else { return }
        do {
            let back = try host.callGlobal("identity", [json])
            precondition(FuzzState.normalized(back) == FuzzState.normalized(json), "round trip changed \(json.compactText) into \(back.compactText)")
        } catch {
            // Refusals (depth, non-UTF-8) are fine; crashes are not.
        }
    }

    /// The documented differences of the Lua round trip: nulls inside objects are dropped,
    /// an empty array comes back as an empty object, integral doubles come back as integers.
    static func normalized(_ j: JSON) -> JSON {
        switch j {
        case .array(let a): return a.isEmpty ? .object(JSONObject()) : .array(a.map(normalized))
        case .object(let o):
            var out = JSONObject()
            for m in o where !m.value.isNull { out[m.key] = normalized(m.value) }
            return .object(out)
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: return .int(Int64(d))
        default: return j
        }
    }
}
