// Without -D FUZZING this is an ordinary program that says how to fuzz. With it (scripts/fuzz),
// the program's entry hands over to libFuzzer's driver, which calls LLVMFuzzerTestOneInput
// (FuzzTarget.swift). (SwiftPM links an executable's entry as `<module>_main`.)
#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("oe_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzBody(data, size) }
}
#else
@main
struct FuzzUsage {
    static func main() {
        print("oe-fuzz: build and run with scripts/fuzz (libFuzzer with AddressSanitizer)")
    }
}
#endif
