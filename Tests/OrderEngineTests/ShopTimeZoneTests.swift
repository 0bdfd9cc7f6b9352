import OrderCore
import OrderEngine
import Testing

/// Danish dates (issue 13, point 4): issue dates, delivery dates and date filters in the shop's
/// time zone (`time_zone`, default Europe/Copenhagen); instants stay UTC in JSON.
@Suite("Shop time zone")
struct ShopTimeZoneTests {
    /// An order captured (and invoiced) at `at` (UTC), handed over at `handedOver` (default: just before).
    static func invoiceAt(_ shop: Shop, _ at: Timestamp, handedOver: Timestamp? = nil) throws -> JSON {
        shop.clock.set(handedOver ?? at)
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        shop.clock.set(at)
        let c = try shop.capture(n)
        return try shop.call("invoice.get", ["number": c["invoice"] ?? 0])
    }

    @Test("23:30 UTC on 27 November is 28 November in Denmark (winter time, UTC+1)")
    func winter() throws {
        let shop = try Shop()
        let inv = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 11, day: 27, hour: 23, minute: 30))
        #expect(inv["issue_date"]?.stringValue == "2026-11-28")
        #expect(inv["issued_at"]?.stringValue == "2026-11-27T23:30:00Z")  // the instant stays UTC
        #expect(inv["delivery_date"] == nil)
    }

    @Test("22:30 UTC on 31 July is 1 August in Denmark (summer time, UTC+2): the next VAT period")
    func summerMonthEnd() throws {
        let shop = try Shop()
        let inv = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 7, day: 31, hour: 22, minute: 30))
        #expect(inv["issue_date"]?.stringValue == "2026-08-01")
        // invoice.find by local dates: in August, not in July.
        let july = try shop.call("invoice.find", ["issued_from": "2026-07-01", "issued_to": "2026-08-01"])
        let august = try shop.call("invoice.find", ["issued_from": "2026-08-01", "issued_to": "2026-09-01"])
        #expect(july["documents"]?.count == 0)
        #expect(august["documents"]?.count == 1)
    }

    @Test("the delivery date is the Danish date of the hand-over, printed when it differs from the issue date")
    func deliveryDate() throws {
        let shop = try Shop()
        // Handed over 22:00 UTC = 23:00 on the 27th in Copenhagen; invoiced 23:30 UTC = 00:30 on the 28th.
        let inv = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 11, day: 27, hour: 23, minute: 30),
                                     handedOver: Timestamp(year: 2026, month: 11, day: 27, hour: 22))
        #expect(inv["issue_date"]?.stringValue == "2026-11-28")
        #expect(inv["delivery_date"]?.stringValue == "2026-11-27")
    }

    @Test("DST change days: local midnight and local dates around 29 March and 25 October 2026")
    func dstChangeDays() throws {
        let zone = try #require(ShopSettings.zone(named: "Europe/Copenhagen"))
        // Spring forward (02:00 → 03:00 local on 29 March): the day starts 23:00 UTC the day before (still winter time).
        #expect(zone.startOfDay(Timestamp(year: 2026, month: 3, day: 29)) == Timestamp(year: 2026, month: 3, day: 28, hour: 23))
        #expect(zone.startOfDay(Timestamp(year: 2026, month: 3, day: 30)) == Timestamp(year: 2026, month: 3, day: 29, hour: 22))
        #expect(zone.date(Timestamp(year: 2026, month: 3, day: 29, hour: 0, minute: 59)) == "2026-03-29")
        #expect(zone.date(Timestamp(year: 2026, month: 3, day: 29, hour: 21, minute: 59)) == "2026-03-29")
        #expect(zone.date(Timestamp(year: 2026, month: 3, day: 29, hour: 22)) == "2026-03-30")
        // Fall back (03:00 → 02:00 local on 25 October): the day starts 22:00 UTC before, the next 23:00 UTC.
        #expect(zone.startOfDay(Timestamp(year: 2026, month: 10, day: 25)) == Timestamp(year: 2026, month: 10, day: 24, hour: 22))
        #expect(zone.startOfDay(Timestamp(year: 2026, month: 10, day: 26)) == Timestamp(year: 2026, month: 10, day: 25, hour: 23))
        #expect(zone.date(Timestamp(year: 2026, month: 10, day: 25, hour: 22, minute: 59)) == "2026-10-25")
        #expect(zone.date(Timestamp(year: 2026, month: 10, day: 25, hour: 23)) == "2026-10-26")

        // Through the engine: invoices on both sides of the change fall on the right days.
        let shop = try Shop()
        let spring = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 3, day: 29, hour: 22, minute: 30))
        #expect(spring["issue_date"]?.stringValue == "2026-03-30")
        let autumn = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 10, day: 25, hour: 22, minute: 30))
        #expect(autumn["issue_date"]?.stringValue == "2026-10-25")
        let day = try shop.call("invoice.find", ["issued_from": "2026-10-25", "issued_to": "2026-10-26"])
        #expect(day["documents"]?.count == 1)
    }

    @Test("order.find's date-only filters are Danish days")
    func orderFilters() throws {
        let shop = try Shop()
        shop.clock.set(Timestamp(year: 2026, month: 11, day: 27, hour: 23, minute: 30))  // 28 Nov in Denmark
        let late = try shop.createOrder()
        shop.clock.set(Timestamp(year: 2026, month: 11, day: 27, hour: 22, minute: 30))  // 27 Nov 23:30 in Denmark
        let early = try shop.createOrder()
        #expect(try shop.find(["created_from": "2026-11-28", "created_to": "2026-11-29"]) == [late])
        #expect(try shop.find(["created_from": "2026-11-27", "created_to": "2026-11-28"]) == [early])
        // An explicit instant is taken as it is.
        #expect(try shop.find(["created_from": "2026-11-27T23:00:00Z"]) == [late])
    }

    @Test("time_zone takes IANA names only; UTC gives UTC dates; refused values change nothing")
    func setting() throws {
        let shop = try Shop()
        #expect(try shop.call("settings.get")["time_zone"]?.stringValue == "Europe/Copenhagen")
        for bad in ["Mars/Olympus_Mons", "CET", "GMT+1", "europe/copenhagen"] {
            try expectRefused(shop, .invalid, "time_zone", "IANA") { try shop.settings(["time_zone": .string(bad)]) }
        }
        try expectRefused(shop, .invalid, "time_zone") { try shop.settings(["time_zone": 1]) }
        #expect(try shop.settings(["time_zone": "UTC"])["time_zone"]?.stringValue == "UTC")
        let inv = try Self.invoiceAt(shop, Timestamp(year: 2026, month: 11, day: 27, hour: 23, minute: 30))
        #expect(inv["issue_date"]?.stringValue == "2026-11-27")
        #expect(try shop.settings(["time_zone": "America/New_York"])["time_zone"]?.stringValue == "America/New_York")
    }
}
