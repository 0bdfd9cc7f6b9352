import OrderCore

/// The C status code of an error (the numbers of `enum oe_status` in orderengine.h).
func status(_ e: OrderError) -> Int32 { e.code.rawValue }

let OK: Int32 = 0
let MISUSE: Int32 = ErrorCode.misuse.rawValue

/// Reads a C string argument as UTF-8; `invalid` naming the argument when it is not UTF-8.
func utf8(_ p: UnsafePointer<CChar>, _ what: String) throws(OrderError) -> String {
    guard let s = String(validatingCString: p) else { throw OrderError(.invalid, "\(what): not valid UTF-8") }
    return s
}
