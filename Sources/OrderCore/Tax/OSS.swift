/// The shop's One-Stop-Shop settings (`settings.set {"oss": {"enabled", "rates"}}`).
///
/// `enabled` is the switch: the shop says that its distance sales to consumers in other EU
/// countries are above the EU threshold (EUR 10,000 a calendar year, counted over every sales
/// channel, or that it opted in below it). The engine cannot count that itself — it does not
/// see the shop's other channels, and the threshold runs per calendar year and the year before
/// — so it is a setting, not a rule over the order history. `rates` overrides standard rates of
/// the table in `EUVATRates`.
public struct OSSSettings: Sendable, Equatable {
    /// The threshold is exceeded (or the shop opted in): EU consumers pay their country's VAT.
    public var enabled: Bool
    /// Standard rates that differ from `EUVATRates.standard`, per member state.
    public var rates: [String: Int64]

    public init(enabled: Bool = false, rates: [String: Int64] = [:]) {
        self.enabled = enabled
        self.rates = rates
    }

    /// The standard rate of member state `country`: the override, else the table's.
    public func standardRate(_ country: String) -> Int64? { rates[country] ?? EUVATRates.standard[country] }

    /// Reads `{"enabled"?, "rates"?}` over `current` (a rate of `null` removes its override).
    /// Refuses a country that is not an EU member state other than Denmark and a rate out of
    /// 0–10000, naming `oss.rates.XX`.
    public init(_ p: ParamReader, over current: OSSSettings) throws(OrderError) {
        self = current
        if let e = try p.bool("enabled") { enabled = e }
        if let r = try p.object("rates") {
            for k in r.keys {
                try OSS.checkCountry(k, field: r.fieldPath(k))
                if r.isNull(k) {
                    _ = r.raw(k)
                    rates[k] = nil
                } else {
                    rates[k] = try r.int(k, in: 0...VAT.maxRate)
                }
            }
            try r.finish()
        }
        try p.finish()
    }

    /// As `settings.get` shows it: the switch, the overrides, and the effective table with its date.
    public var json: JSON {
        var over = JSONObject()
        for k in rates.keys.sorted() { over[k] = .int(rates[k]!) }
        var table = JSONObject()
        for k in EUVATRates.standard.keys.sorted() where k != "DK" { table[k] = .int(standardRate(k)!) }
        return ["enabled": .bool(enabled), "rates": .object(over), "standard_rates": .object(table),
                "standard_rates_as_of": .string(EUVATRates.asOf)]
    }

    /// Restores from the stored setting (trusted; malformed parts ignored).
    public init(stored j: JSON?) {
        self.init()
        enabled = j?["enabled"]?.boolValue ?? false
        if case .object(let r)? = j?["rates"] { for m in r.members { if let v = m.value.intValue { rates[m.key] = v } } }
    }
}

/// The OSS rule: which country's VAT an order carries.
///
/// With `oss.enabled`, an order to a **consumer** (no `customer.vat_number`) whose goods are
/// **shipped** (not picked up in the shop) to an address in **another EU member state** is a
/// distance sale taxed in the delivery country (VAT Directive art. 33, 59c; momsloven § 14
/// stk. 2): each goods line carries its `vat_rates[country]` when given (a reduced rate), else
/// the country's standard rate. Fees follow the goods' rates (their own `vat_rate`, a Danish
/// rate, gives way: an ancillary cost follows the supply). Everything else is Danish VAT:
/// Danish addresses, pickup, countries outside the EU (export, the host's business), businesses
/// (reverse charge or Danish VAT), and every order while the switch is off.
public enum OSS {
    /// The delivery country whose VAT applies, or nil for Danish VAT (the rule above).
    public static func country(customer: Customer, delivery: Delivery, reverseCharge: Bool, settings: OSSSettings) -> String? {
        guard settings.enabled, !reverseCharge, customer.vatNumber == nil, delivery.method == "shipping" else { return nil }
        guard let a = customer.deliveryAddress ?? customer.billingAddress, let c = VATTerritory.vatCountry(a), c != "DK" else { return nil }
        return c
    }

    /// The rate of goods line `line` delivered to `country`.
    public static func rate(of line: OrderLine, in country: String, settings: OSSSettings) -> Int64 {
        line.vatRates[country] ?? settings.standardRate(country) ?? line.vatRate
    }

    /// Applies the rule to goods `lines` and `fees` for `country` (nil: unchanged).
    public static func apply(country: String?, lines: inout [OrderLine], fees: inout [FeeSpec], settings: OSSSettings) {
        guard let country else { return }
        for i in lines.indices where !lines[i].isFee { lines[i].vatRate = rate(of: lines[i], in: country, settings: settings) }
        for i in fees.indices { fees[i].vatRate = nil }
    }

    /// Refuses `code` unless it is an EU member state other than Denmark (Danish VAT is the
    /// line's `vat_rate`): `invalid` naming `field`.
    public static func checkCountry(_ code: String, field: String) throws(OrderError) {
        guard code.utf8.count == 2, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw OrderError.invalid(field, "expected an ISO 3166 alpha-2 code of an EU member state such as DE")
        }
        if code == "DK" { throw OrderError.invalid(field, "Denmark's rate is the line's vat_rate; vat_rates name other EU member states") }
        if code == "EL" { throw OrderError.invalid(field, "write Greece as GR (ISO 3166); EL is its VAT prefix") }
        guard EUVATRates.isMember(code) else {
            throw OrderError.invalid(field, "'\(code)' is not an EU member state; OSS rates exist for the 27 member states only")
        }
    }
}
