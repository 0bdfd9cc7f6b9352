/// The shop's time zone: the calendar dates printed on documents (issue date, delivery date)
/// and the meaning of a date-only filter (`"2026-11-28"` = that day from local midnight) are
/// taken in it. Instants stay UTC everywhere else (JSON timestamps, the database).
///
/// OrderCore has no I/O: the offset rule is given by the engine (from the system's tz
/// database); `utc` and `fixed(_:_:)` serve tests and shops that want UTC dates.
public struct ShopTimeZone: Sendable, CustomStringConvertible {
    /// The IANA name, e.g. `Europe/Copenhagen`.
    public let identifier: String
    private let offsetRule: @Sendable (Timestamp) -> Int64

    /// A zone whose offset east of UTC (seconds) at an instant is `offset(instant)`.
    public init(identifier: String, offset: @escaping @Sendable (Timestamp) -> Int64) {
        self.identifier = identifier
        self.offsetRule = offset
    }

    /// UTC.
    public static let utc = ShopTimeZone(identifier: "UTC") { _ in 0 }

    /// A zone with a constant offset (tests).
    public static func fixed(_ identifier: String, _ seconds: Int64) -> ShopTimeZone {
        ShopTimeZone(identifier: identifier) { _ in seconds }
    }

    /// Seconds east of UTC at `t`.
    public func offset(at t: Timestamp) -> Int64 { offsetRule(t) }

    /// The local calendar date of `t`: `YYYY-MM-DD`.
    public func date(_ t: Timestamp) -> String { t.adding(seconds: offset(at: t)).date }

    /// The instant local midnight begins on the date of `utcMidnight` (a date parsed as UTC
    /// midnight), found in two steps so that DST change days come out right.
    public func startOfDay(_ utcMidnight: Timestamp) -> Timestamp {
        var guess = utcMidnight.adding(seconds: -offset(at: utcMidnight))
        guess = utcMidnight.adding(seconds: -offset(at: guess))
        return guess
    }

    public var description: String { identifier }
}

extension ShopTimeZone: Equatable {
    /// Zones are equal when their names are.
    public static func == (a: ShopTimeZone, b: ShopTimeZone) -> Bool { a.identifier == b.identifier }
}
