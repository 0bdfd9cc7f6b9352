import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#endif

/// Not API (not in orderengine.h): runs `command` with `params` `n` times through the Swift
/// API (`Engine.call`) of the engine behind `e` and returns the elapsed nanoseconds, or -1.
/// Lets the C benchmark compare the ABI round trip with the Swift API in one run.
@_cdecl("oe__bench_swift_call")
public func oeBenchSwiftCall(_ e: OpaquePointer?, _ command: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ n: Int64) -> Int64 {
    guard let h = Handles.lookup(e), let command, let params,
          let name = String(validatingCString: command), let text = String(validatingCString: params),
          let json = try? JSONParser.parse(text) else { return -1 }
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_MONOTONIC, &a)
    for _ in 0..<n { _ = try? h.engine.call(name, json) }
    clock_gettime(CLOCK_MONOTONIC, &b)
    return Int64(b.tv_sec - a.tv_sec) * 1_000_000_000 + Int64(b.tv_nsec - a.tv_nsec)
}
