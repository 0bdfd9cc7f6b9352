import CPostgres

/// The outcome of one statement: its rows (in text format, decoded on access by the column's
/// type) and, for INSERT/UPDATE/DELETE, the number of rows it touched.
///
/// A result owns its libpq `PGresult` and frees it when the last reference goes. It does not
/// refer to the connection: it stays readable after the connection runs other statements,
/// reconnects or closes. A result is immutable and may be read from any thread.
public final class PostgresResult: @unchecked Sendable {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    /// Rows in the result (0 for statements that return none).
    public var count: Int { Int(PQntuples(handle)) }

    /// Columns in the result.
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// The column names, in order.
    public var columns: [String] { (0..<PQnfields(handle)).map { String(cString: PQfname(handle, $0)) } }

    /// Rows an INSERT, UPDATE, DELETE, MERGE, MOVE, FETCH or COPY touched; 0 for other statements.
    public var rowsAffected: Int64 { Int64(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The command tag's verb (`INSERT`, `COMMIT`, `ROLLBACK`, …) without its counts.
    public var commandTag: String {
        String(cString: PQcmdStatus(handle)).split(separator: " ").first.map(String.init) ?? ""
    }

    /// The row at `index` (`0..<count`); a precondition failure outside that range.
    public subscript(index: Int) -> PostgresRow {
        precondition(index >= 0 && index < count, "row \(index) of a result of \(count)")
        return PostgresRow(result: self, index: Int32(index))
    }

    /// The first row, nil when there is none.
    public var first: PostgresRow? { count > 0 ? self[0] : nil }

    /// The index of the column named `name` (exact, case-sensitive), nil when absent.
    public func columnIndex(_ name: String) -> Int? {
        (0..<columnCount).first { String(cString: PQfname(handle, Int32($0))) == name }
    }
}

// MARK: - Sequence

extension PostgresResult: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}

/// One row of a ``PostgresResult``. The typed accessors throw a ``PostgresError/Kind/value``
/// error naming the column when it is NULL or not of the type asked for; the optional ones
/// (`…OrNil`) return nil for NULL.
public struct PostgresRow: @unchecked Sendable {
    let result: PostgresResult
    let index: Int32

    /// True when column `column` is NULL.
    public func isNull(_ column: Int) -> Bool { PQgetisnull(result.handle, index, Int32(column)) != 0 }

    /// Column `column` decoded by its type: integers as `.int`, `bool`, `bytea`, `float4/8`
    /// as their cases, everything else (numeric, timestamps, json, …) as its text.
    public subscript(column: Int) -> PostgresValue {
        let c = Int32(column)
        precondition(column >= 0 && c < PQnfields(result.handle), "column \(column) of \(PQnfields(result.handle))")
        if PQgetisnull(result.handle, index, c) != 0 { return .null }
        let text = rawText(c)
        switch PQftype(result.handle, c) {
        case TypeOID.int2, TypeOID.int4, TypeOID.int8, TypeOID.oid:
            return Int64(text).map(PostgresValue.int) ?? .text(text)
        case TypeOID.bool: return .bool(text == "t")
        case TypeOID.bytea: return PostgresRow.decodeBytea(text).map(PostgresValue.bytes) ?? .text(text)
        case TypeOID.float4, TypeOID.float8: return Double(text).map(PostgresValue.double) ?? .text(text)
        default: return .text(text)
        }
    }

    /// The column named `name`; `.null` when there is no such column.
    public subscript(name: String) -> PostgresValue {
        guard let i = result.columnIndex(name) else { return .null }
        return self[i]
    }

    /// Column `column` as an integer (integer columns, or text that is an integer).
    public func int(_ column: Int) throws -> Int64 {
        guard let v = try intOrNil(column) else { throw nullError(column) }
        return v
    }

    /// Column `column` as an integer, nil when NULL.
    public func intOrNil(_ column: Int) throws -> Int64? {
        switch self[column] {
        case .null: return nil
        case .int(let v): return v
        case .text(let t): if let v = Int64(t) { return v }
        default: break
        }
        throw typeError(column, "an integer")
    }

    /// Column `column` as text (its text form for every type but bytea).
    public func string(_ column: Int) throws -> String {
        guard let v = try stringOrNil(column) else { throw nullError(column) }
        return v
    }

    /// Column `column` as text, nil when NULL.
    public func stringOrNil(_ column: Int) throws -> String? {
        if isNull(column) { return nil }
        if PQftype(result.handle, Int32(column)) == TypeOID.bytea { throw typeError(column, "text") }
        return rawText(Int32(column))
    }

    /// Column `column` (a `bytea`) as bytes.
    public func bytes(_ column: Int) throws -> [UInt8] {
        guard case .bytes(let b) = self[column] else { throw isNull(column) ? nullError(column) : typeError(column, "bytea") }
        return b
    }

    /// Column `column` (a `bool`) as a Bool.
    public func bool(_ column: Int) throws -> Bool {
        guard case .bool(let b) = self[column] else { throw isNull(column) ? nullError(column) : typeError(column, "a boolean") }
        return b
    }

    /// Column `column` (a `float4`/`float8`) as a Double.
    public func double(_ column: Int) throws -> Double {
        switch self[column] {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .null: throw nullError(column)
        default: throw typeError(column, "a number")
        }
    }

    /// Every column, decoded as by ``subscript(_:)-(Int)``.
    public var values: [PostgresValue] { (0..<result.columnCount).map { self[$0] } }

    private func rawText(_ c: Int32) -> String {
        let len = Int(PQgetlength(result.handle, index, c))
        guard let p = PQgetvalue(result.handle, index, c) else { return "" }
        return p.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    private func name(_ column: Int) -> String { String(cString: PQfname(result.handle, Int32(column))) }

    private func nullError(_ column: Int) -> PostgresError {
        PostgresError(.value, "column \(name(column)) of row \(index) is NULL")
    }

    private func typeError(_ column: Int, _ wanted: String) -> PostgresError {
        PostgresError(.value, "column \(name(column)) of row \(index) is not \(wanted)")
    }

    /// Bytes of bytea's text form: the hex format (`\x0a1b`, PostgreSQL ≥ 9.0's default);
    /// nil for anything else (the legacy escape format is not produced unless a session asks).
    static func decodeBytea(_ text: String) -> [UInt8]? {
        var u = text.utf8.makeIterator()
        guard u.next() == UInt8(ascii: "\\"), u.next() == UInt8(ascii: "x") else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((text.utf8.count - 2) / 2)
        while let hi = u.next() {
            guard let h = nibble(hi), let lo = u.next(), let l = nibble(lo) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }
}
