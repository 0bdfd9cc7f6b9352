/// A JSON value: the shape of every command's parameters and result.
///
/// Integers are kept as `Int64` (never rounded through `Double`), so money amounts survive the
/// round trip exactly. Objects keep their keys in insertion order, so results read naturally
/// (`"order"` first) and output is deterministic.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number with a fraction or exponent, or an integer outside the `Int64` range.
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// A short name of the value's type, for error messages ("expected an integer, got string").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The member `key` of an object, or `nil` (also for non-objects).
    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The integer value, or `nil` for anything else.
    public var intValue: Int64? { if case .int(let v) = self { return v }; return nil }
    /// The string value, or `nil` for anything else.
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    /// The boolean value, or `nil` for anything else.
    public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }
    /// The elements of an array, or `nil` for anything else.
    public var arrayValue: [JSON]? { if case .array(let v) = self { return v }; return nil }
    /// The object, or `nil` for anything else.
    public var objectValue: JSONObject? { if case .object(let v) = self { return v }; return nil }
    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { return true }; return false }
}

/// A JSON object whose keys keep their insertion order. Lookup is linear, which is faster
/// than hashing for the small objects commands exchange (a dozen keys).
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The members in order.
    public private(set) var members: [(key: String, value: JSON)] = []

    /// An empty object.
    public init() {}

    /// An object from literal pairs, in their written order. The keys of a literal must be
    /// distinct (they are not checked: literals are written in code, and this is a hot path).
    public init(dictionaryLiteral elements: (String, JSON)...) {
        members.reserveCapacity(elements.count)
        for (k, v) in elements { members.append((k, v)) }
    }

    /// The value for `key`; setting `nil` removes the member, setting a value replaces it in
    /// place or appends it.
    public subscript(key: String) -> JSON? {
        get {
            for m in members where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }
    /// The number of members.
    public var count: Int { members.count }

    /// Appends without checking for an existing key (the parser checks duplicates itself).
    mutating func appendUnchecked(_ key: String, _ value: JSON) { members.append((key, value)) }

    /// Appends a member whose key the caller knows is not present yet (no search).
    public mutating func appendNew(_ key: String, _ value: JSON) { members.append((key, value)) }

    /// Reserves room for `n` members.
    public mutating func reserveCapacity(_ n: Int) { members.reserveCapacity(n) }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> { members.makeIterator() }

    /// Same members, in any order. Linear: large objects are compared through a hash table.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        if a.count <= 16 {
            for m in a.members where b[m.key] != m.value { return false }
            return true
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(b.count)
        for (k, m) in b.members.enumerated() { index[m.key] = k }
        for m in a.members {
            guard let k = index[m.key], b.members[k].value == m.value else { return false }
        }
        return true
    }
}

// MARK: - Literals

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = JSONObject()
        o.reserveCapacity(elements.count)
        for (k, v) in elements { o.appendNew(k, v) }
        self = .object(o)
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// `.string(s)` or `.null` when `s` is nil.
    public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    /// `.int(v)` or `.null` when `v` is nil.
    public static func optional(_ v: Int64?) -> JSON { v.map { .int($0) } ?? .null }
}
