/// The kind of failure a command reports. Each code maps 1:1 to a status code of the C ABI
/// (`OE_NOT_FOUND` = 1 … `OE_NOMEM` = 9) and to the exit code of `oe call`.
public enum ErrorCode: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// The addressed order, invoice, shipment, status or command does not exist.
    case notFound = 1
    /// The input is malformed, of the wrong type, out of range, or names an unknown field.
    case invalid = 2
    /// A stale `expected_version`, a concurrent change, or a state that forbids the request.
    case conflict = 3
    /// A business rule refused the request (capture policy, illegal status transition, …).
    case policy = 4
    /// A workflow script failed or refused (Lua error, guard refusal, limits).
    case script = 5
    /// An external port (payment gateway, carrier, mailer, clock) failed or declined.
    case port = 6
    /// The database failed (I/O, corruption, busy beyond the timeout).
    case storage = 7
    /// The API was used wrongly (closed engine, NULL handle, nested misuse).
    case misuse = 8
    /// Memory ran out (Lua memory cap or allocation failure).
    case outOfMemory = 9

    /// The stable snake_case name used in JSON, Lua error texts and `oe` messages.
    public var name: String {
        switch self {
        case .notFound: "not_found"
        case .invalid: "invalid"
        case .conflict: "conflict"
        case .policy: "policy"
        case .script: "script"
        case .port: "port"
        case .storage: "storage"
        case .misuse: "misuse"
        case .outOfMemory: "nomem"
        }
    }

    /// Looks a code up by its `name`; `nil` for unknown names.
    public init?(name: String) {
        guard let code = ErrorCode.allCases.first(where: { $0.name == name }) else { return nil }
        self = code
    }

    public var description: String { name }
}

/// The one error type of OrderEngine. Every command failure is an `OrderError`: a `code`
/// (what kind of failure, stable across versions) and a human-readable `message` that names
/// the offending field, order or rule.
///
/// Messages are English and meant for developers and logs; merchant-facing texts live in the
/// status labels and e-mail templates, which exist in Danish and English.
public struct OrderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: ErrorCode
    /// What went wrong, naming the field (`lines[2].qty`), order or rule involved.
    public var message: String
    /// The parameter path the error is about, when there is one (e.g. `lines[0].unit_price`).
    public var field: String?

    /// Creates an error. Prefer the static helpers, which keep message shapes consistent.
    public init(_ code: ErrorCode, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "error[\(code.name)]: \(message)" }

    /// Bad input on a named field: `"<field>: <problem>"`.
    public static func invalid(_ field: String, _ problem: String) -> OrderError {
        OrderError(.invalid, field.isEmpty ? problem : "\(field): \(problem)", field: field.isEmpty ? nil : field)
    }

    /// Something addressed by the caller does not exist.
    public static func notFound(_ message: String) -> OrderError { OrderError(.notFound, message) }

    /// A business rule refused the request.
    public static func policy(_ message: String) -> OrderError { OrderError(.policy, message) }

    /// A concurrent or stale change, or a state conflict.
    public static func conflict(_ message: String) -> OrderError { OrderError(.conflict, message) }
}
