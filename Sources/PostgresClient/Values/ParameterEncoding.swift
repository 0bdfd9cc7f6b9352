/// Statement parameters laid out for libpq: every value's bytes in one buffer (text values
/// NUL-terminated, as libpq reads text-format parameters as C strings), with their types,
/// lengths and formats (0 = text, 1 = binary).
struct EncodedParameters {
    var buffer: [UInt8] = []
    /// Offset of each value in `buffer`; nil for NULL.
    var offsets: [Int?] = []
    var lengths: [Int32] = []
    var formats: [Int32] = []
    var types: [UInt32] = []

    /// Encodes `values`; throws a ``PostgresError/Kind/value`` error naming the parameter
    /// (`$2`) when a string contains NUL.
    init(_ values: [PostgresValue]) throws {
        offsets.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            switch v {
            case .null:
                append(nil, length: 0, format: 0, type: TypeOID.unknown)
            case .int(let x):
                let start = buffer.count
                withUnsafeBytes(of: x.bigEndian) { buffer.append(contentsOf: $0) }
                append(start, length: 8, format: 1, type: TypeOID.int8)
            case .bytes(let b):
                let start = buffer.count
                buffer.append(contentsOf: b)
                append(start, length: Int32(b.count), format: 1, type: TypeOID.bytea)
            case .text(let s):
                try appendText(s, parameter: i + 1, type: TypeOID.unknown)
            case .bool(let b):
                try appendText(b ? "t" : "f", parameter: i + 1, type: TypeOID.bool)
            case .double(let d):
                // Swift prints the shortest text that reads back as the same Double.
                let text = d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : String(d)
                try appendText(text, parameter: i + 1, type: TypeOID.float8)
            }
        }
    }

    private mutating func append(_ offset: Int?, length: Int32, format: Int32, type: UInt32) {
        offsets.append(offset)
        lengths.append(length)
        formats.append(format)
        types.append(type)
    }

    private mutating func appendText(_ s: String, parameter: Int, type: UInt32) throws {
        let start = buffer.count
        if s.utf8.contains(0) {
            throw PostgresError(.value, "parameter $\(parameter): text contains a NUL character, which PostgreSQL text cannot hold")
        }
        buffer.append(contentsOf: s.utf8)
        buffer.append(0)
        append(start, length: Int32(buffer.count - start - 1), format: 0, type: type)
    }

    /// Calls `body` with libpq's parallel arrays (values, lengths, formats, types), valid only
    /// during the call.
    func withArrays<T>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<UInt32>?) throws -> T) rethrows -> T {
        try buffer.withUnsafeBytes { raw in
            let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            // An empty buffer has no base address; every non-NULL value then has length 0 and
            // needs a valid pointer all the same.
            let empty: StaticString = ""
            let fallback = UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { off in
                off.map { o in base.map { UnsafePointer($0 + o) } ?? fallback }
            }
            return try pointers.withUnsafeBufferPointer { p in
                try lengths.withUnsafeBufferPointer { l in
                    try formats.withUnsafeBufferPointer { f in
                        try types.withUnsafeBufferPointer { t in
                            try body(p.baseAddress, l.baseAddress, f.baseAddress, t.baseAddress)
                        }
                    }
                }
            }
        }
    }
}
