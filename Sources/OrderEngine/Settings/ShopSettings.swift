import Foundation
import OrderCore

/// A shop's settings with their defaults, as `settings.get` shows them and the rules read them.
/// Stored per key in the `settings` table; a key never set has its default.
public struct ShopSettings: Sendable, Equatable {
    /// When money may be captured (`on_hand_over`, the Danish default).
    public var capturePolicy: CapturePolicy = .onHandOver
    /// Issue an invoice for the captured goods on every successful capture.
    public var invoiceOnCapture = true
    /// Read by the default Lua workflow: capture what left the house at hand-over.
    public var autoCaptureOnHandOver = true
    /// A shop address that gets a copy of every status e-mail.
    public var mailCopyTo: String?
    /// The shop's name in e-mails.
    public var shopName = "OrderEngine Shop"
    /// The seller printed on invoices.
    public var seller: Seller = .unset
    /// Authorisation validity per method.
    public var authorizationValidity: AuthorizationValidity = .defaults
    /// When fees are released for capture on new orders (`first_shipment`: with the first
    /// shipment handed over; `last_shipment`: with the last). A fee's own `capture` overrides it.
    public var feeCapture: FeeRelease = .firstShipment
    /// The shop's time zone (`time_zone`, an IANA name; default `Europe/Copenhagen`): issue and
    /// delivery dates and date-only filters are taken in it.
    public var timeZone: ShopTimeZone = ShopSettings.zone(named: "Europe/Copenhagen") ?? .utc
    /// Prefix per number series (`""` by default).
    public var prefixes: [NumberSeries: String] = [:]
    /// Sender, SMTP relay, DKIM (`mail`).
    public var mail = MailSettings()
    /// Logo and font of rendered documents (`documents`).
    public var documents = DocumentSettings()
    /// The cheapest standard delivery the shop offers, incl. VAT in minor units, per currency
    /// code (`standard_delivery_fee: {"DKK": 3900}`): on a whole withdrawal the freight is
    /// credited up to it (forbrugeraftaleloven § 18, stk. 2). Without an entry for the order's
    /// currency the full shipping fee is credited.
    public var standardDeliveryFee: [String: Int64] = [:]
    /// One-Stop-Shop: the switch and the rate overrides (`oss`, see `OSS`).
    public var oss = OSSSettings()
    /// Exchange rates to DKK per currency code (`exchange_rates`), for invoices of foreign-
    /// currency orders when the host passes none with the command; the host keeps them current.
    public var exchangeRates: [String: ExchangeRate] = [:]

    public init() {}

    /// The prefix of `series`.
    public func prefix(_ series: NumberSeries) -> String { prefixes[series] ?? "" }

    /// Applies stored values over the defaults; unknown or malformed stored values are ignored.
    public init(stored: [String: JSON]) {
        self.init()
        if let p = stored["capture_policy"]?.stringValue.flatMap(CapturePolicy.init(rawValue:)) { capturePolicy = p }
        if let b = stored["invoice_on_capture"]?.boolValue { invoiceOnCapture = b }
        if let b = stored["auto_capture_on_hand_over"]?.boolValue { autoCaptureOnHandOver = b }
        mailCopyTo = stored["mail_copy_to"]?.stringValue
        if let s = stored["shop_name"]?.stringValue { shopName = s }
        if let s = stored["seller"], let n = s["name"]?.stringValue, let a = s["address"]?.stringValue, let v = s["vat_number"]?.stringValue {
            seller = Seller(name: n, address: a, vatNumber: v)
        }
        if let v = stored["authorization_validity"]?.objectValue {
            for m in v { if let d = m.value.intValue { authorizationValidity.days[m.key] = d } }
        }
        for s in NumberSeries.allCases { if let p = stored[s.prefixKey]?.stringValue { prefixes[s] = p } }
        if let f = stored["fee_capture"]?.stringValue.flatMap(FeeRelease.init(rawValue:)) { feeCapture = f }
        if let z = stored["time_zone"]?.stringValue.flatMap(ShopSettings.zone(named:)) { timeZone = z }
        mail = MailSettings(stored: stored["mail"])
        documents = DocumentSettings(stored: stored["documents"])
        for (code, v) in stored["standard_delivery_fee"]?.objectValue ?? [:] { if let fee = v.intValue { standardDeliveryFee[code] = fee } }
        oss = OSSSettings(stored: stored["oss"])
        if case .object(let r)? = stored["exchange_rates"] {
            for m in r.members { if let rate = ExchangeRate.stored(m.value) { exchangeRates[m.key] = rate } }
        }
    }

    /// The zone named `identifier` in the system's tz database (IANA names such as
    /// `Europe/Copenhagen`, and `UTC`); `nil` for anything else (abbreviations like `CET`,
    /// offsets like `GMT+1`, unknown names).
    public static func zone(named identifier: String) -> ShopTimeZone? {
        let name = identifier == "Etc/UTC" ? "UTC" : identifier
        guard name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name), let tz = TimeZone(identifier: name) else { return nil }
        return ShopTimeZone(identifier: name) { t in
            Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t.seconds))))
        }
    }

    /// The settings as JSON (without number series, which the store adds).
    public var json: JSON {
        var o: JSONObject = [
            "capture_policy": .string(capturePolicy.rawValue), "invoice_on_capture": .bool(invoiceOnCapture),
            "auto_capture_on_hand_over": .bool(autoCaptureOnHandOver), "mail_copy_to": .optional(mailCopyTo),
            "shop_name": .string(shopName), "seller": seller.json, "authorization_validity": authorizationValidity.json,
            "time_zone": .string(timeZone.identifier),
        ]
        for s in NumberSeries.allCases { o[s.prefixKey] = .string(prefix(s)) }
        o["mail"] = mail.json
        o["documents"] = documents.json
        o["fee_capture"] = .string(feeCapture.rawValue)
        var fees = JSONObject()
        for (code, fee) in standardDeliveryFee.sorted(by: { $0.key < $1.key }) { fees[code] = .int(fee) }
        o["standard_delivery_fee"] = .object(fees)
        o["oss"] = oss.json
        var rates = JSONObject()
        for k in exchangeRates.keys.sorted() { rates[k] = .string(exchangeRates[k]!.description) }
        o["exchange_rates"] = .object(rates)
        return .object(o)
    }
}
