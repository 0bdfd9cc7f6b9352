/// Reads a command's JSON parameters field by field with typed accessors, producing
/// `invalid` errors that name the full field path (`lines[2].qty`), and refusing unknown
/// fields when the command is done reading (`finish()`).
///
/// A reader is a class so nested readers share nothing but report paths relative to their
/// parent. It is not thread-safe; each command invocation uses its own.
public final class ParamReader {
    /// The path of this object from the root, e.g. `lines[0]` (empty at the root).
    public let path: String
    private let object: JSONObject
    /// Which members have been read, by position (a set of names cost a hash per read, and
    /// commands read a dozen fields each).
    private var used: [Bool]
    /// The names asked for, for the "accepted: …" of an unknown field's error.
    private var asked: [String] = []

    /// Wraps a JSON value that must be an object (`null` counts as an empty object).
    public init(_ json: JSON, path: String = "") throws(OrderError) {
        self.path = path
        switch json {
        case .object(let o): object = o
        case .null: object = JSONObject()
        default: throw OrderError.invalid(path, "expected an object, got \(json.typeName)")
        }
        used = Array(repeating: false, count: object.count)
    }

    /// The full path of member `key`.
    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is present and not null.
    public func has(_ key: String) -> Bool {
        if let v = object[key], !v.isNull { return true }
        return false
    }

    /// The member names present, in order.
    public var keys: [String] { object.keys }

    /// Whether `key` is present with the value `null` (for settings that `null` clears).
    public func isNull(_ key: String) -> Bool { object[key]?.isNull ?? false }

    /// The raw value of `key` (marking it used), or nil when absent or null.
    public func raw(_ key: String) -> JSON? {
        asked.append(key)
        for (i, m) in object.members.enumerated() where m.key == key {
            used[i] = true
            if m.value.isNull { return Optional.none }  // (a bare `nil` here would be JSON.null)
            return m.value
        }
        return nil
    }

    // MARK: - Scalars

    /// An optional integer within `range`.
    public func int(_ key: String, in range: ClosedRange<Int64>? = nil) throws(OrderError) -> Int64? {
        guard let v = raw(key) else { return nil }
        guard case .int(let i) = v else {
            if case .double = v { throw OrderError.invalid(fieldPath(key), "expected an integer within ±\(Int64.max), got \(v.compactText)") }
            throw OrderError.invalid(fieldPath(key), "expected an integer, got \(v.typeName)")
        }
        if let range, !range.contains(i) {
            throw OrderError.invalid(fieldPath(key), "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// A required integer within `range`.
    public func requiredInt(_ key: String, in range: ClosedRange<Int64>? = nil) throws(OrderError) -> Int64 {
        guard let v = try int(key, in: range) else { throw OrderError.invalid(fieldPath(key), "is required") }
        return v
    }

    /// An optional money amount (integer minor units, `0...Amounts.max`, or `1...` when `positive`).
    public func amount(_ key: String, positive: Bool = false) throws(OrderError) -> Int64? {
        guard let v = raw(key) else { return nil }
        guard case .int(let i) = v else {
            if case .double = v { throw OrderError.invalid(fieldPath(key), "amount must be an integer number of minor units (øre) no larger than \(Amounts.max), got \(v.compactText)") }
            throw OrderError.invalid(fieldPath(key), "expected an integer amount in minor units, got \(v.typeName)")
        }
        if i < 0 { throw OrderError.invalid(fieldPath(key), "amount must not be negative, got \(i)") }
        if positive && i == 0 { throw OrderError.invalid(fieldPath(key), "amount must be greater than zero") }
        if i > Amounts.max { throw OrderError.invalid(fieldPath(key), "amount \(i) exceeds the maximum of \(Amounts.max)") }
        return i
    }

    /// A required money amount.
    public func requiredAmount(_ key: String, positive: Bool = false) throws(OrderError) -> Int64 {
        guard let v = try amount(key, positive: positive) else { throw OrderError.invalid(fieldPath(key), "is required") }
        return v
    }

    /// An optional string; `maxLength` counts Unicode scalars; empty strings are refused unless `allowEmpty`.
    public func string(_ key: String, maxLength: Int = 1000, allowEmpty: Bool = false) throws(OrderError) -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw OrderError.invalid(fieldPath(key), "expected a string, got \(v.typeName)") }
        // Cheap checks first (every command reads several strings): a first character that is
        // not white space means not blank; a text of no more UTF-8 bytes than the limit has no
        // more characters than it either; NUL is the byte 0 in UTF-8.
        if !allowEmpty, s.first?.isWhitespace ?? true, s.trimmingSpaces.isEmpty {
            throw OrderError.invalid(fieldPath(key), "must not be empty")
        }
        if s.utf8.count > maxLength, s.unicodeScalars.count > maxLength {
            throw OrderError.invalid(fieldPath(key), "longer than \(maxLength) characters")
        }
        if s.utf8.contains(0) { throw OrderError.invalid(fieldPath(key), "contains a NUL character") }
        return s
    }

    /// A required string.
    public func requiredString(_ key: String, maxLength: Int = 1000) throws(OrderError) -> String {
        guard let v = try string(key, maxLength: maxLength) else { throw OrderError.invalid(fieldPath(key), "is required") }
        return v
    }

    /// An optional string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String]) throws(OrderError) -> String? {
        guard let s = try string(key) else { return nil }
        guard choices.contains(s) else {
            throw OrderError.invalid(fieldPath(key), "'\(s)' is not one of \(choices.joined(separator: ", "))")
        }
        return s
    }

    /// An optional boolean.
    public func bool(_ key: String) throws(OrderError) -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v else { throw OrderError.invalid(fieldPath(key), "expected true or false, got \(v.typeName)") }
        return b
    }

    /// An optional timestamp given as an ISO 8601 string (`2026-11-28` or `2026-11-28T10:00:00Z`).
    public func timestamp(_ key: String) throws(OrderError) -> Timestamp? {
        guard let s = try string(key) else { return nil }
        guard let t = Timestamp(iso8601: s) else {
            throw OrderError.invalid(fieldPath(key), "'\(s)' is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
        }
        return t
    }

    /// Like `timestamp(_:)`, but a date without a time (`YYYY-MM-DD`) means local midnight of
    /// that date in `zone` (the shop's day), not UTC midnight.
    public func timestamp(_ key: String, zone: ShopTimeZone) throws(OrderError) -> Timestamp? {
        guard let t = try timestamp(key) else { return nil }
        if let s = raw(key)?.stringValue, s.utf8.count == 10 { return zone.startOfDay(t) }
        return t
    }

    // MARK: - Structures

    /// An optional nested object, as a reader whose paths continue this one's.
    public func object(_ key: String) throws(OrderError) -> ParamReader? {
        guard let v = raw(key) else { return nil }
        guard case .object = v else { throw OrderError.invalid(fieldPath(key), "expected an object, got \(v.typeName)") }
        return try ParamReader(v, path: fieldPath(key))
    }

    /// An optional array; `maxCount` bounds its length. An empty object counts as an empty
    /// array, because Lua (and some JSON encoders) cannot tell `{}` from `[]`.
    public func array(_ key: String, maxCount: Int = 10_000) throws(OrderError) -> [JSON]? {
        guard let v = raw(key) else { return nil }
        if case .object(let o) = v, o.count == 0 { return [] }
        guard case .array(let a) = v else { throw OrderError.invalid(fieldPath(key), "expected an array, got \(v.typeName)") }
        if a.count > maxCount { throw OrderError.invalid(fieldPath(key), "more than \(maxCount) elements") }
        return a
    }

    /// An optional array of objects, each as a reader (`key[i]`).
    public func objects(_ key: String, maxCount: Int = 10_000) throws(OrderError) -> [ParamReader]? {
        guard let a = try array(key, maxCount: maxCount) else { return nil }
        var out: [ParamReader] = []
        for (k, v) in a.enumerated() { out.append(try ParamReader(v, path: "\(fieldPath(key))[\(k)]")) }
        return out
    }

    /// An optional array of strings.
    public func strings(_ key: String, maxCount: Int = 1000, maxLength: Int = 200) throws(OrderError) -> [String]? {
        guard let a = try array(key, maxCount: maxCount) else { return nil }
        var out: [String] = []
        for (k, v) in a.enumerated() {
            guard case .string(let s) = v, !s.trimmingSpaces.isEmpty, s.unicodeScalars.count <= maxLength else {
                throw OrderError.invalid("\(fieldPath(key))[\(k)]", "expected a non-empty string of at most \(maxLength) characters")
            }
            out.append(s)
        }
        return out
    }

    /// A string or an array of strings (filters like `"status": "received"` or `["received", "processing"]`).
    public func stringOrStrings(_ key: String) throws(OrderError) -> [String]? {
        guard let v = raw(key) else { return nil }
        if case .string(let s) = v { return [s] }
        return try strings(key)
    }

    /// Refuses any member that no accessor read: `unknown field 'x'` (with the accepted ones).
    public func finish() throws(OrderError) {
        for (i, k) in object.keys.enumerated() where !used[i] {
            let known = Set(asked).sorted().joined(separator: ", ")
            throw OrderError.invalid(fieldPath(k), "unknown field" + (known.isEmpty ? "" : " (accepted: \(known))"))
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
