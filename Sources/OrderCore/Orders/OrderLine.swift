/// One line of an order: `qty` units of `sku` at `unitPrice` (minor units, VAT included) and
/// `vatRate` basis points. `prepayable` lines (made to order, digital) may be captured before
/// they leave the house.
public struct OrderLine: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var qty: Int64
    public var unitPrice: Int64
    public var vatRate: Int64
    public var prepayable: Bool

    public init(sku: String, name: String, qty: Int64, unitPrice: Int64, vatRate: Int64 = 2500, prepayable: Bool = false) {
        self.sku = sku
        self.name = name
        self.qty = qty
        self.unitPrice = unitPrice
        self.vatRate = vatRate
        self.prepayable = prepayable
    }

    /// Reads `{"sku", "name", "qty", "unit_price", "vat_rate"?, "prepayable"?}`; `vat_rate`
    /// defaults to 2500 (Danish moms). Zero or negative quantities and negative prices are refused.
    public init(_ p: ParamReader) throws(OrderError) {
        sku = try p.requiredString("sku", maxLength: 64)
        name = try p.requiredString("name", maxLength: 200)
        qty = try p.requiredInt("qty", in: 1...Amounts.maxQuantity)
        unitPrice = try p.requiredAmount("unit_price")
        vatRate = try p.int("vat_rate", in: 0...VAT.maxRate) ?? 2500
        prepayable = try p.bool("prepayable") ?? false
        try p.finish()
        _ = try Amounts.multiply(qty, unitPrice, field: p.fieldPath("unit_price"))
    }

    /// `qty × unitPrice`, VAT included. Bounded by construction (see `Amounts`).
    public var total: Int64 { qty * unitPrice }

    /// The value of `units` units of this line.
    public func value(of units: Int64) -> Int64 { units * unitPrice }

    /// The JSON form, with the computed `total`.
    public var json: JSON {
        [
            "sku": .string(sku), "name": .string(name), "qty": .int(qty), "unit_price": .int(unitPrice),
            "vat_rate": .int(vatRate), "prepayable": .bool(prepayable), "total": .int(total),
        ]
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
