/// A point in time: whole seconds since 1970-01-01T00:00:00Z (UTC).
///
/// Rules never read the wall clock; the engine passes a `Timestamp` from its `Clock` port, so
/// tests control time. Written without Foundation so the core stays dependency-free; the
/// calendar arithmetic is Howard Hinnant's public-domain `days_from_civil` algorithm.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since the Unix epoch, UTC.
    public var seconds: Int64

    /// Wraps seconds since the Unix epoch.
    public init(seconds: Int64) { self.seconds = seconds }

    /// Midnight UTC of a calendar date plus a time of day.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let days = Timestamp.daysFromCivil(year, month, day)
        seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    /// This time plus whole days.
    public func adding(days: Int64) -> Timestamp { Timestamp(seconds: seconds + days * 86_400) }
    /// This time plus seconds.
    public func adding(seconds s: Int64) -> Timestamp { Timestamp(seconds: seconds + s) }

    /// ISO 8601 in UTC: `2026-11-28T09:30:00Z`. (Formatted into bytes: it is written for
    /// every timestamp of every result, and string interpolation cost a sixth of `order.get`.)
    public var iso8601: String {
        let (y, m, d) = Timestamp.civilFromDays(Int(floorDiv(seconds, 86_400)))
        guard (0...9999).contains(y) else {
            let sod = Int(seconds - floorDiv(seconds, 86_400) * 86_400)
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2))Z"
        }
        let sod = Int(seconds - floorDiv(seconds, 86_400) * 86_400)
        return String(unsafeUninitializedCapacity: 20) { b in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    b[k] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); b[4] = UInt8(ascii: "-"); put(m, 5, 2); b[7] = UInt8(ascii: "-"); put(d, 8, 2)
            b[10] = UInt8(ascii: "T"); put(sod / 3600, 11, 2); b[13] = UInt8(ascii: ":"); put(sod / 60 % 60, 14, 2)
            b[16] = UInt8(ascii: ":"); put(sod % 60, 17, 2); b[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// The calendar date in UTC: `2026-11-28`.
    public var date: String { String(iso8601.prefix(10)) }

    public var description: String { iso8601 }

    /// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ` (also with `+HH:MM`).
    /// Returns `nil` for anything else, including impossible dates such as `2026-02-30`.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for k in from..<(from + len) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        guard b.count >= 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = num(0, 4), let m = num(5, 2), let d = num(8, 2),
              (1...12).contains(m), d >= 1, d <= Timestamp.daysInMonth(y, m)
        else { return nil }
        var secs = Int64(Timestamp.daysFromCivil(y, m, d)) * 86_400
        if b.count == 10 { self.seconds = secs; return }
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == 0x3A, b[16] == 0x3A,
              let hh = num(11, 2), let mm = num(14, 2), let ss = num(17, 2), hh < 24, mm < 60, ss < 60
        else { return nil }
        secs += Int64(hh * 3600 + mm * 60 + ss)
        var rest = Array(b[19...])
        if rest.first == UInt8(ascii: ".") {  // fractional seconds are dropped
            rest.removeFirst()
            while let f = rest.first, f >= 0x30, f <= 0x39 { rest.removeFirst() }
        }
        if rest == [UInt8(ascii: "Z")] { self.seconds = secs; return }
        guard rest.count == 6, rest[0] == UInt8(ascii: "+") || rest[0] == UInt8(ascii: "-"), rest[3] == 0x3A,
              [1, 2, 4, 5].allSatisfy({ rest[$0] >= 0x30 && rest[$0] <= 0x39 })  // `Int("-1")` would accept signs
        else { return nil }
        let tz = String(decoding: rest, as: UTF8.self)
        guard let oh = Int(tz.dropFirst().prefix(2)), let om = Int(tz.suffix(2)), oh < 24, om < 60 else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        self.seconds = rest[0] == UInt8(ascii: "+") ? secs - offset : secs + offset
    }

    // MARK: - Calendar arithmetic

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
