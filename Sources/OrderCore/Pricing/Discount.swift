/// A discount as given on `order.create` / `order.edit`: `{"code"?, "name", "amount"? |
/// "percent"?, "lines"?: [sku…]}`. `amount` (VAT included, minor units) is spread over the
/// lines it applies to in proportion to their value; `percent` (basis points, `1000` = 10 %)
/// takes that share of each line. Without `lines` it applies to every goods line (never to fees).
public struct DiscountSpec: Sendable, Equatable {
    public var code: String?
    public var name: String
    public var amount: Int64?
    public var percent: Int64?
    public var skus: [String]?

    public init(code: String? = nil, name: String, amount: Int64? = nil, percent: Int64? = nil, skus: [String]? = nil) {
        self.code = code
        self.name = name
        self.amount = amount
        self.percent = percent
        self.skus = skus
    }

    /// Reads one discount: exactly one of `amount` and `percent`; `code` is kept as given and
    /// matched case-insensitively by `order.find`.
    public init(_ p: ParamReader) throws(OrderError) {
        code = try p.string("code", maxLength: 64)
        name = try p.requiredString("name", maxLength: 200)
        amount = try p.amount("amount", positive: true)
        percent = try p.int("percent", in: 1...10_000)
        skus = try p.strings("lines", maxCount: Amounts.maxLines, maxLength: 64)
        if amount == nil && percent == nil { throw OrderError.invalid(p.fieldPath("amount"), "give amount or percent") }
        if amount != nil && percent != nil { throw OrderError.invalid(p.fieldPath("percent"), "give either amount or percent, not both") }
        if let skus, skus.isEmpty { throw OrderError.invalid(p.fieldPath("lines"), "name at least one sku, or leave lines out for all goods") }
        try p.finish()
    }

    public var json: JSON {
        var o: JSONObject = [:]
        if let code { o["code"] = .string(code) }
        o["name"] = .string(name)
        if let amount { o["amount"] = .int(amount) }
        if let percent { o["percent"] = .int(percent) }
        if let skus { o["lines"] = .array(skus.map { .string($0) }) }
        return .object(o)
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let name = j["name"]?.stringValue else { return nil }
        self.init(code: j["code"]?.stringValue, name: name, amount: j["amount"]?.intValue, percent: j["percent"]?.intValue,
                  skus: j["lines"]?.arrayValue?.compactMap(\.stringValue))
    }
}
