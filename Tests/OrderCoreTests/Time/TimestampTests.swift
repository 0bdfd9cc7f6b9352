import Testing
@testable import OrderCore

@Suite("Timestamp")
struct TimestampTests {
    @Test("formats UTC ISO 8601 with zero padding")
    func format() {
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_795_858_200).iso8601 == "2026-11-28T09:30:00Z")
        #expect(Timestamp(year: 2026, month: 11, day: 28, hour: 9, minute: 30).seconds == 1_795_858_200)
        #expect(Timestamp(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5).iso8601 == "2026-01-02T03:04:05Z")
        #expect(Timestamp(year: 2026, month: 11, day: 28, hour: 23, minute: 59, second: 59).date == "2026-11-28")
        #expect(Timestamp(seconds: 1_795_858_200).description == "2026-11-28T09:30:00Z")
    }

    @Test("times before the epoch format correctly")
    func beforeEpoch() {
        #expect(Timestamp(seconds: -1).iso8601 == "1969-12-31T23:59:59Z")
        #expect(Timestamp(seconds: -86_400).iso8601 == "1969-12-31T00:00:00Z")
        #expect(Timestamp(seconds: -301_233_600).iso8601 == "1960-06-15T12:00:00Z")
        #expect(Timestamp(year: 1960, month: 6, day: 15, hour: 12).seconds == -301_233_600)
    }

    @Test("format → parse round trip over many instants")
    func roundTrip() throws {
        var rng = SplitMix64(seed: 1970)
        // From 1900 to 2200, plus exact day boundaries.
        var instants: [Int64] = [0, -1, 1, 86_399, 86_400, -2_208_988_800, 7_258_118_400]
        for _ in 0..<5000 { instants.append(Int64.random(in: -2_208_988_800...7_258_118_400, using: &rng)) }
        var failures: [Int64] = []
        for s in instants {
            let t = Timestamp(seconds: s)
            if Timestamp(iso8601: t.iso8601) != t { failures.append(s) }
            if Timestamp(iso8601: t.date) != Timestamp(seconds: s - ((s % 86_400) + 86_400) % 86_400) { failures.append(s) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("every day from 1899 to 2101 converts both ways")
    func civilDays() {
        var mismatches: [String] = []
        var day = Timestamp.daysFromCivil(1899, 1, 1)
        for y in 1899...2101 {
            for m in 1...12 {
                for d in 1...Timestamp.daysInMonth(y, m) {
                    if Timestamp.daysFromCivil(y, m, d) != day { mismatches.append("\(y)-\(m)-\(d)") }
                    let (yy, mm, dd) = Timestamp.civilFromDays(day)
                    if (yy, mm, dd) != (y, m, d) { mismatches.append("back \(y)-\(m)-\(d)") }
                    day += 1
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("leap years follow the Gregorian rule")
    func leapYears() throws {
        #expect(Timestamp(iso8601: "2024-02-29") != nil)
        #expect(Timestamp(iso8601: "2000-02-29") != nil)
        #expect(Timestamp(iso8601: "2028-02-29T12:00:00Z") != nil)
        #expect(Timestamp(iso8601: "2023-02-29") == nil)
        #expect(Timestamp(iso8601: "2026-02-29") == nil)
        #expect(Timestamp(iso8601: "1900-02-29") == nil)
        #expect(Timestamp(iso8601: "2100-02-29") == nil)
        #expect(try #require(Timestamp(iso8601: "2024-02-29")).seconds == 1_709_164_800)
        #expect(Timestamp(year: 2024, month: 2, day: 28).adding(days: 1).date == "2024-02-29")
        #expect(Timestamp(year: 2023, month: 2, day: 28).adding(days: 1).date == "2023-03-01")
        #expect(Timestamp(year: 2024, month: 12, day: 31).adding(days: 1).date == "2025-01-01")
        #expect(Timestamp(year: 2025, month: 1, day: 1).seconds - Timestamp(year: 2024, month: 1, day: 1).seconds == 366 * 86_400)
        #expect(Timestamp(year: 2026, month: 1, day: 1).seconds - Timestamp(year: 2025, month: 1, day: 1).seconds == 365 * 86_400)
    }

    @Test("impossible or malformed text is rejected", arguments: [
        "2026-02-30", "2026-02-31", "2026-04-31", "2026-06-31", "2026-09-31", "2026-11-31", "2026-13-01", "2026-00-10",
        "2026-01-00", "2026-01-32", "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01", "20260101", "", "2026",
        "abcd-ef-gh", "2026-01-01x", "2026-01-01 ", " 2026-01-01", "+2026-01-01", "2026-O1-01",
        "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:60Z", "2026-01-01T10:00:00",
        "2026-01-01T10:00Z", "2026-01-01T1:00:00Z", "2026-01-01T10-00-00Z", "2026-01-01X10:00:00Z",
        "2026-01-01T10:00:00+0200", "2026-01-01T10:00:00+02", "2026-01-01T10:00:00Zx", "2026-01-01T10:00:00z",
        "2026-01-01T10:00:00+24:00", "2026-01-01T10:00:00+01:60", "2026-01-01T10:00:00 +01:00",
        "2026-01-01T10:00:00+-1:00", "2026-01-01T10:00:00++1:00", "2026-01-01T10:00:00+01:-1", "2026-01-01T10:00:00+01:+1",
        "2026-01-01T10:00:00+ 1:00",
    ])
    func rejected(text: String) {
        #expect(Timestamp(iso8601: text) == nil, "accepted '\(text)'")
    }

    @Test("date-only text is midnight UTC")
    func dateOnly() throws {
        let t = try #require(Timestamp(iso8601: "2026-11-28"))
        #expect(t == Timestamp(year: 2026, month: 11, day: 28))
        #expect(t.iso8601 == "2026-11-28T00:00:00Z")
    }

    @Test("offsets are converted to UTC", arguments: [
        ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00+00:00", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00-00:00", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00+01:00", "2026-11-28T09:00:00Z"),
        ("2026-06-15T10:00:00+02:00", "2026-06-15T08:00:00Z"),
        ("2026-11-28T10:00:00-05:30", "2026-11-28T15:30:00Z"),
        ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z"),
        ("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z"),
        ("2024-03-01T00:00:00+00:01", "2024-02-29T23:59:00Z"),
        ("2026-11-28T10:00:00+23:59", "2026-11-27T10:01:00Z"),
    ])
    func offsets(text: String, utc: String) throws {
        #expect(try #require(Timestamp(iso8601: text)).iso8601 == utc)
    }

    @Test("a space separator and fractional seconds are accepted; the fraction is dropped")
    func lenientForms() throws {
        #expect(Timestamp(iso8601: "2026-11-28 10:00:00Z") == Fixture.t0)
        #expect(Timestamp(iso8601: "2026-11-28T10:00:00.123Z") == Fixture.t0)
        #expect(Timestamp(iso8601: "2026-11-28T10:00:00.999999+00:00") == Fixture.t0)
        #expect(Timestamp(iso8601: "2026-11-28T11:00:00.5+01:00") == Fixture.t0)
    }

    @Test("arithmetic and ordering")
    func arithmetic() {
        let t = Fixture.t0
        #expect(t.adding(days: 7).iso8601 == "2026-12-05T10:00:00Z")
        #expect(t.adding(days: -28).iso8601 == "2026-10-31T10:00:00Z")
        #expect(t.adding(seconds: 3600).iso8601 == "2026-11-28T11:00:00Z")
        #expect(t.adding(seconds: -1) < t)
        #expect(t < t.adding(seconds: 1))
        #expect([t.adding(days: 2), t, t.adding(days: 1)].sorted() == [t, t.adding(days: 1), t.adding(days: 2)])
        #expect(t.adding(days: 0) == t)
    }
}
