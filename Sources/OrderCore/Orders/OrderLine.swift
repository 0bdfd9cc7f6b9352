/// One line of an order: `qty` units of `sku` at `unitPrice` (minor units, VAT included) and
/// `vatRate` basis points, less `discount`. `prepayable` lines (made to order, digital) may be
/// captured before they leave the house.
///
/// A **fee line** (`fee != nil`: shipping, payment, handling, other) is one unit, is never
/// shipped, and is released for capture by `feeRelease` (see `CapturePolicy`). Its sku is
/// `fee:<kind>` (`fee:<kind>:<n>` for the n-th fee of a kind; with `@<rate>` appended per rate
/// when its VAT is split over the goods' rates, see `OrderPricing`).
public struct OrderLine: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var qty: Int64
    public var unitPrice: Int64
    public var vatRate: Int64
    public var prepayable: Bool
    /// The line's share of the order's discounts (VAT included), `≤ qty × unitPrice`.
    public var discount: Int64
    /// The part of each of the order's discounts (by index into `Order.discounts`) in `discount`.
    public var discountParts: [Int64]
    /// Set on fee lines.
    public var fee: FeeKind?
    /// When a fee line is released for capture.
    public var feeRelease: FeeRelease
    /// Per-country VAT rates for OSS sales (`{"DE": 700}`), overriding the country's standard rate.
    public var vatRates: [String: Int64]

    public init(sku: String, name: String, qty: Int64, unitPrice: Int64, vatRate: Int64 = 2500, prepayable: Bool = false,
                discount: Int64 = 0, discountParts: [Int64] = [], fee: FeeKind? = nil, feeRelease: FeeRelease = .firstShipment,
                vatRates: [String: Int64] = [:]) {
        self.sku = sku
        self.name = name
        self.qty = qty
        self.unitPrice = unitPrice
        self.vatRate = vatRate
        self.prepayable = prepayable
        self.discount = discount
        self.discountParts = discountParts
        self.fee = fee
        self.feeRelease = feeRelease
        self.vatRates = vatRates
    }

    /// Reads `{"sku", "name", "qty", "unit_price", "vat_rate"?, "prepayable"?, "vat_rates"?}`;
    /// `vat_rate` defaults to 2500 (Danish moms); `vat_rates` names EU member states other than
    /// Denmark (`OSS.checkCountry`) with their rate for this line (0–10000). Zero or negative quantities and negative prices
    /// are refused; a sku may not start with `fee:` (reserved for fee lines).
    public init(_ p: ParamReader) throws(OrderError) {
        sku = try p.requiredString("sku", maxLength: 64)
        if sku.hasPrefix("fee:") { throw OrderError.invalid(p.fieldPath("sku"), "'fee:' is reserved for fee lines; pass fees in 'fees'") }
        name = try p.requiredString("name", maxLength: 200)
        qty = try p.requiredInt("qty", in: 1...Amounts.maxQuantity)
        unitPrice = try p.requiredAmount("unit_price")
        vatRate = try p.int("vat_rate", in: 0...VAT.maxRate) ?? 2500
        prepayable = try p.bool("prepayable") ?? false
        discount = 0
        discountParts = []
        fee = nil
        feeRelease = .firstShipment
        var rates: [String: Int64] = [:]
        if let r = try p.object("vat_rates") {
            for k in r.keys {
                try OSS.checkCountry(k, field: r.fieldPath(k))
                rates[k] = try r.int(k, in: 0...VAT.maxRate)
            }
            try r.finish()
        }
        vatRates = rates
        try p.finish()
        _ = try Amounts.multiply(qty, unitPrice, field: p.fieldPath("unit_price"))
    }

    /// Whether this is a fee line (never shipped).
    public var isFee: Bool { fee != nil }

    /// `qty × unitPrice`, before discount.
    public var listTotal: Int64 { qty * unitPrice }

    /// `qty × unitPrice − discount`, VAT included: what the customer pays for the line.
    public var total: Int64 { qty * unitPrice - discount }

    /// The value of the first `units` units, after their share of the discount
    /// (`discountThrough`). `value(of: qty) == total`.
    public func value(of units: Int64) -> Int64 { units * unitPrice - Self.discountThrough(units, qty: qty, discount: discount) }

    /// The value of `units` units after the first `after` (units are invoiced in order).
    public func value(of units: Int64, after: Int64) -> Int64 { value(of: after + units) - value(of: after) }

    /// The discount carried by the first `units` of `qty` units: `⌊discount × units / qty⌋`, so
    /// that the last unit takes the remainder and any split of the units adds up to `discount`.
    public static func discountThrough(_ units: Int64, qty: Int64, discount: Int64) -> Int64 {
        guard discount != 0, qty > 0 else { return 0 }
        if units >= qty { return discount }
        if units <= 0 { return 0 }
        return qty.dividingFullWidth(discount.multipliedFullWidth(by: units)).quotient
    }

    /// The invoice line for `units` units after the first `after` already invoiced.
    public func invoiceLine(units: Int64, after: Int64 = 0) -> InvoiceLine {
        let d = Self.discountThrough(after + units, qty: qty, discount: discount) - Self.discountThrough(after, qty: qty, discount: discount)
        return InvoiceLine(sku: sku, name: name, qty: units, unitPrice: unitPrice, vatRate: vatRate, discount: d, fee: fee)
    }

    /// The JSON form, with the computed `total` (after discount).
    public var json: JSON {
        var o: JSONObject = [
            "sku": .string(sku), "name": .string(name), "qty": .int(qty), "unit_price": .int(unitPrice),
            "vat_rate": .int(vatRate), "prepayable": .bool(prepayable),
        ]
        if discount != 0 || !discountParts.isEmpty {
            o["discount"] = .int(discount)
            o["discounts"] = .array(discountParts.map { .int($0) })
        }
        if let fee {
            o["fee"] = .string(fee.rawValue)
            o["fee_capture"] = .string(feeRelease.rawValue)
        }
        if !vatRates.isEmpty {
            var r = JSONObject()
            for k in vatRates.keys.sorted() { r[k] = .int(vatRates[k]!) }
            o["vat_rates"] = .object(r)
        }
        o["total"] = .int(total)
        return .object(o)
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let sku = j["sku"]?.stringValue, let name = j["name"]?.stringValue, let qty = j["qty"]?.intValue,
              let up = j["unit_price"]?.intValue, let rate = j["vat_rate"]?.intValue else { return nil }
        var rates: [String: Int64] = [:]
        if case .object(let r)? = j["vat_rates"] { for m in r.members { if let v = m.value.intValue { rates[m.key] = v } } }
        self.init(sku: sku, name: name, qty: qty, unitPrice: up, vatRate: rate, prepayable: j["prepayable"]?.boolValue ?? false,
                  discount: j["discount"]?.intValue ?? 0, discountParts: (j["discounts"]?.arrayValue ?? []).compactMap(\.intValue),
                  fee: j["fee"]?.stringValue.flatMap(FeeKind.init(rawValue:)),
                  feeRelease: j["fee_capture"]?.stringValue.flatMap(FeeRelease.init(rawValue:)) ?? .firstShipment, vatRates: rates)
    }
}

/// A quantity of one SKU, as shipments and credit notes refer to order lines.
public struct LineQuantity: Sendable, Equatable {
    public var sku: String
    public var qty: Int64

    public init(sku: String, qty: Int64) {
        self.sku = sku
        self.qty = qty
    }

    /// Reads `{"sku", "qty"}`.
    public init(_ p: ParamReader) throws(OrderError) {
        sku = try p.requiredString("sku", maxLength: 64)
        qty = try p.requiredInt("qty", in: 1...Amounts.maxQuantity)
        try p.finish()
    }

    public var json: JSON { ["sku": .string(sku), "qty": .int(qty)] }

    /// Parses an array of `{"sku","qty"}` from stored JSON (trusted data).
    public static func list(from json: JSON?) -> [LineQuantity] {
        (json?.arrayValue ?? []).compactMap { j in
            guard let s = j["sku"]?.stringValue, let q = j["qty"]?.intValue else { return nil }
            return LineQuantity(sku: s, qty: q)
        }
    }
}
