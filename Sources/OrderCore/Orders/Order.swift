/// An order's own data: who bought what, how it is delivered, and its status. Payments,
/// shipments and invoices live in their ledgers beside it (`OrderAggregate`).
public struct Order: Sendable, Equatable {
    /// The order number, from the order series (gapless).
    public var number: Int64
    /// The number as shown to people, with the series prefix (`WEB-1001`).
    public var reference: String
    /// The status key (see `StatusGraph`).
    public var status: String
    public var customer: Customer
    /// Goods lines, then fee lines (priced by `OrderPricing`).
    public var lines: [OrderLine]
    /// The fees as given (their lines are in `lines`).
    public var fees: [FeeSpec]
    /// The discounts as given (their parts are on the lines).
    public var discounts: [DiscountSpec]
    /// Invoiced at 0 % under reverse charge (a business in another EU country with a VAT number).
    public var reverseCharge: Bool
    /// The EU member state whose VAT the lines carry under OSS (`OSS`), nil for Danish VAT.
    public var vatCountry: String?
    public var currency: Currency
    public var delivery: Delivery
    public var tags: [String]
    /// Internal note for staff; never shown to the customer.
    public var note: String
    /// Send the automatic e-mail on status change ("Send automatisk e-mail ved statusændring").
    public var notify: Bool
    /// Incremented by every change; callers pass `expected_version` for optimistic concurrency.
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(number: Int64, reference: String, status: String, customer: Customer, lines: [OrderLine],
                currency: Currency = .dkk, delivery: Delivery, tags: [String] = [], note: String = "",
                notify: Bool = true, version: Int64 = 1, createdAt: Timestamp, updatedAt: Timestamp? = nil,
                fees: [FeeSpec] = [], discounts: [DiscountSpec] = [], reverseCharge: Bool = false, vatCountry: String? = nil) {
        self.number = number
        self.vatCountry = vatCountry
        self.reverseCharge = reverseCharge
        self.fees = fees
        self.discounts = discounts
        self.reference = reference
        self.status = status
        self.customer = customer
        self.lines = lines
        self.currency = currency
        self.delivery = delivery
        self.tags = tags
        self.note = note
        self.notify = notify
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// Σ qty × unit price over the lines, VAT included.
    public var total: Int64 { lines.reduce(0) { $0 + $1.total } }

    /// VAT per rate on the order total (see `VAT` for the rounding rule).
    public var vat: VATBreakdown { VATBreakdown(lines.map { ($0.total, $0.vatRate) }) }

    /// The line for `sku`, if any (SKUs are unique within an order).
    public func line(_ sku: String) -> OrderLine? { lines.first { $0.sku == sku } }

    /// The goods lines (everything but fees): what is shipped.
    public var goods: [OrderLine] { lines.filter { !$0.isFee } }
    /// The fee lines.
    public var feeLines: [OrderLine] { lines.filter(\.isFee) }
    /// The discount codes, upper-cased (what `order.find {"discount_code"}` matches).
    public var discountCodes: [String] { discounts.compactMap { $0.code?.uppercased() } }
    /// Σ discounts over the lines.
    public var discountTotal: Int64 { lines.reduce(0) { $0 + $1.discount } }
}

/// The lines, customer and delivery of a new order, validated from `order.create` parameters.
public struct OrderDraft: Sendable {
    public var customer: Customer
    public var lines: [OrderLine]
    public var currency: Currency
    public var delivery: Delivery
    public var tags: [String]
    public var note: String
    public var notify: Bool
    public var fees: [FeeSpec]
    public var discounts: [DiscountSpec]
    public var reverseCharge: Bool
    /// The OSS country (`OSS.country`), nil for Danish VAT.
    public var vatCountry: String?

    /// Reads `order.create` parameters. Refuses an empty line list, duplicate SKUs, zero
    /// quantities, negative or overflowing prices, unknown fields, and an order total above
    /// `Amounts.max`, each with the field's path. `oss` decides whether the delivery country's
    /// VAT applies (`OSS`).
    public init(_ p: ParamReader, feeRelease: FeeRelease = .firstShipment, oss: OSSSettings = OSSSettings()) throws(OrderError) {
        guard let c = try p.object("customer") else { throw OrderError.invalid("customer", "is required") }
        customer = try Customer(c)
        guard let ls = try p.objects("lines", maxCount: Amounts.maxLines) else { throw OrderError.invalid("lines", "is required") }
        if ls.isEmpty { throw OrderError.invalid("lines", "an order needs at least one line") }
        var lines: [OrderLine] = []
        var seen: Set<String> = []
        var total: Int64 = 0
        for l in ls {
            let line = try OrderLine(l)
            if !seen.insert(line.sku).inserted { throw OrderError.invalid(l.fieldPath("sku"), "duplicate sku '\(line.sku)'; put the quantity on one line") }
            total = try Amounts.add(total, line.total, field: "lines")
            lines.append(line)
        }
        let code = try p.string("currency", maxLength: 3) ?? "DKK"
        guard let cur = Currency(code: code) else { throw OrderError.invalid("currency", "'\(code)' is not an ISO 4217 code such as DKK") }
        currency = cur
        fees = try (p.objects("fees", maxCount: 20) ?? []).map { r throws(OrderError) in try FeeSpec(r, defaultRelease: feeRelease) }
        delivery = try p.object("delivery").map { r throws(OrderError) in try Delivery(r) } ?? .shipping(carrier: nil)
        // Reverse charge: asked for, or a business in another EU country with its VAT number
        // and the goods shipped there (`ReverseCharge`).
        let asked = try p.bool("reverse_charge")
        if asked == true, let why = ReverseCharge.refusal(customer: customer, delivery: delivery) {
            throw OrderError.invalid(customer.vatNumber == nil ? "customer.vat_number" : "reverse_charge", why)
        }
        reverseCharge = asked ?? ReverseCharge.applies(customer: customer, delivery: delivery)
        if reverseCharge {
            for i in lines.indices { lines[i].vatRate = 0 }
            for i in fees.indices { fees[i].vatRate = 0 }
        }
        discounts = try (p.objects("discounts", maxCount: 20) ?? []).map { r throws(OrderError) in try DiscountSpec(r) }
        for f in fees { total = try Amounts.add(total, f.amount, field: "fees") }
        vatCountry = OSS.country(customer: customer, delivery: delivery, reverseCharge: reverseCharge, settings: oss)
        var ossFees = fees
        OSS.apply(country: vatCountry, lines: &lines, fees: &ossFees, settings: oss)
        fees = ossFees
        self.lines = try OrderPricing.price(goods: lines, fees: fees, discounts: discounts, currency: cur)
        tags = try p.strings("tags", maxCount: 50, maxLength: 64) ?? []
        note = try p.string("note", maxLength: 4000, allowEmpty: true) ?? ""
        notify = try p.bool("notify") ?? true
    }
}
