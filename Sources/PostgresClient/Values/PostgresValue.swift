/// A value sent as a statement parameter or read from a result column.
///
/// Parameters go out as follows: `int` in binary as `int8` (eight bytes, no text formatting or
/// parsing on either side), `bytes` in binary as `bytea`, `text` in text format with its type
/// left for the server to infer from the statement (so a text parameter can be compared to a
/// `timestamptz` or `jsonb` column), `bool` and `double` in text format as `bool` / `float8`.
/// An `int` parameter is typed `int8`: where an `int4`-only function takes it, cast it
/// (`pg_terminate_backend($1::int4)`); comparisons and inserts into `int4` columns need no cast.
/// Strings must not contain NUL (PostgreSQL's text types cannot hold it): such a parameter is
/// refused with a ``PostgresError/Kind/value`` error before anything is sent.
public enum PostgresValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// SQL NULL.
    case null
    /// An integer (`int2`, `int4`, `int8` columns read as this).
    case int(Int64)
    /// Text (`text`, `varchar`, and every type without a case of its own, in its text form).
    case text(String)
    /// Bytes (`bytea`).
    case bytes([UInt8])
    /// A boolean (`bool`).
    case bool(Bool)
    /// A floating-point number (`float4`, `float8`); never used for money.
    case double(Double)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .int(let v): String(v)
        case .text(let v): "'" + v.replacingAll("'", with: "''") + "'"
        case .bytes(let v): "<\(v.count) bytes>"
        case .bool(let v): v ? "true" : "false"
        case .double(let v): String(v)
        }
    }
}

// MARK: - Literals

extension PostgresValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

// MARK: - Type OIDs

/// The type OIDs of PostgreSQL's built-in types that this library sends or decodes
/// (`pg_type.oid`; fixed since PostgreSQL 7).
enum TypeOID {
    static let unknown: UInt32 = 0
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let oid: UInt32 = 26
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
}

extension String {
    /// This string with every `target` replaced (without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
