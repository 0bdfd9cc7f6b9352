/// The one JSON shape of an error, wherever a host reads one: `oe_errjson()` in C, the
/// exceptions of the Python package, `oe call --json` on the command line.
///
/// ```json
/// {"code": 2, "code_name": "invalid", "message": "lines[0].qty: must be at least 1", "field": "lines[0].qty"}
/// ```
/// `code` is the stable number of `enum oe_status`, `code_name` its snake_case name, `field`
/// the parameter path the error is about, or null.
public enum ErrorJSON {
    /// The JSON form of `error`.
    public static func of(_ error: OrderError) -> JSON {
        ["code": .int(Int64(error.code.rawValue)), "code_name": .string(error.code.name), "message": .string(error.message),
         "field": .optional(error.field)]
    }

    /// The short form a command's result uses for a failure inside it (an order of
    /// `orders.mass_update`, a gateway effect's outcome): `{"code": "<code name>", "message": …}`.
    public static func inResult(_ error: OrderError) -> JSON {
        ["code": .string(error.code.name), "message": .string(error.message)]
    }

    /// The form for "no error" (code 0, `ok`).
    public static let none: JSON = ["code": 0, "code_name": "ok", "message": "", "field": nil]
}
