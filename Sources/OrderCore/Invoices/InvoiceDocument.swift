/// Invoices and credit notes share a shape; a credit note references the invoice it corrects.
public enum DocumentKind: String, Sendable, CaseIterable {
    case invoice
    case credit_note
}

/// The seller as printed on every invoice (momsbekendtgørelsen § 58: name, address, VAT number).
public struct Seller: Sendable, Equatable {
    public var name: String
    public var address: String
    /// CVR/SE number, e.g. `DK13585628`.
    public var vatNumber: String

    public init(name: String, address: String, vatNumber: String) {
        self.name = name
        self.address = address
        self.vatNumber = vatNumber
    }

    /// Placeholder seller used until `settings.set {"seller": …}`; its VAT number says so.
    public static let unset = Seller(name: "(set seller.name)", address: "(set seller.address)", vatNumber: "(set seller.vat_number)")

    public var json: JSON { ["name": .string(name), "address": .string(address), "vat_number": .string(vatNumber)] }
}

/// One invoiced line, with the amounts § 58 asks for: quantity and kind, unit price excluding
/// VAT, discount, taxable amount, VAT rate and VAT amount.
///
/// Fees and discounts (issue 14) are kept general for renderers: a **fee** is a line of its own
/// (`kind == "fee"`, `fee` says which); a **discount** is a field on the line it lowers
/// (`discount`, VAT included), so `gross = qty × unit_price − discount` is what the customer
/// pays, and `before_discount = qty × unit_price`. An amount credit is a line of kind `credit`.
public struct InvoiceLine: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var qty: Int64
    /// VAT included, as ordered (before discount).
    public var unitPrice: Int64
    public var vatRate: Int64
    /// qty × unit price − discount, VAT included.
    public var gross: Int64
    /// The line's discount, VAT included (0 without one).
    public var discount: Int64
    /// Set on fee lines.
    public var fee: FeeKind?
    /// The delivery country whose VAT this line carries (OSS sales), else nil (Danish VAT).
    public var vatCountry: String?

    public init(sku: String, name: String, qty: Int64, unitPrice: Int64, vatRate: Int64, gross: Int64? = nil,
                discount: Int64 = 0, fee: FeeKind? = nil, vatCountry: String? = nil) {
        self.sku = sku
        self.name = name
        self.qty = qty
        self.unitPrice = unitPrice
        self.vatRate = vatRate
        self.discount = discount
        self.gross = gross ?? qty * unitPrice - discount
        self.fee = fee
        self.vatCountry = vatCountry
    }

    /// VAT in this line (informational; the document's VAT is per rate, see `VAT`).
    public var vat: Int64 { VAT.contained(inGross: gross, rate: vatRate) }
    /// Net amount of this line.
    public var net: Int64 { gross - vat }
    /// Unit price excluding VAT, rounded by the same rule.
    public var unitPriceExclVAT: Int64 { VAT.net(ofGross: unitPrice, rate: vatRate) }
    /// `goods`, `fee` or `credit` (an amount credit's line).
    public var kind: String { fee != nil ? "fee" : sku.hasPrefix("credit:") ? "credit" : "goods" }

    public var json: JSON {
        var o: JSONObject = [
            "sku": .string(sku), "name": .string(name), "kind": .string(kind), "qty": .int(qty), "unit_price": .int(unitPrice),
            "unit_price_excl_vat": .int(unitPriceExclVAT), "before_discount": .int(gross + discount), "discount": .int(discount),
            "vat_rate": .int(vatRate), "net": .int(net), "vat": .int(vat), "gross": .int(gross),
        ]
        if let fee { o["fee"] = .string(fee.rawValue) }
        if let vatCountry { o["vat_country"] = .string(vatCountry) }
        return .object(o)
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let sku = j["sku"]?.stringValue, let name = j["name"]?.stringValue, let qty = j["qty"]?.intValue,
              let up = j["unit_price"]?.intValue, let rate = j["vat_rate"]?.intValue, let gross = j["gross"]?.intValue
        else { return nil }
        self.init(sku: sku, name: name, qty: qty, unitPrice: up, vatRate: rate, gross: gross, discount: j["discount"]?.intValue ?? 0,
                  fee: j["fee"]?.stringValue.flatMap(FeeKind.init(rawValue:)), vatCountry: j["vat_country"]?.stringValue)
    }
}

/// An invoice or credit note. Accounting records: never changed or deleted once issued.
public struct InvoiceDocument: Sendable, Equatable {
    public var kind: DocumentKind
    /// The number in its series (invoices and credit notes have separate series).
    public var number: Int64
    /// The number with the series prefix, as printed.
    public var reference: String
    public var order: Int64
    public var orderReference: String
    public var issuedAt: Timestamp
    /// The date of issue as printed, in the shop's time zone (`ShopTimeZone`), `YYYY-MM-DD`.
    public var issueDate: String
    /// The date the goods were handed over, when different from the issue date (§ 58 stk. 1 nr. 7).
    public var deliveryDate: String?
    public var seller: Seller
    public var buyerName: String
    public var buyerAddress: String?
    /// The buyer's address as fields (for e-invoices), when the order had one.
    public var buyerPostalAddress: Address?
    /// The buyer's e-mail address (the e-invoice's electronic address of a consumer).
    public var buyerEmail: String?
    public var currency: Currency
    public var lines: [InvoiceLine]
    /// For credit notes: the invoice number it corrects.
    public var creditsInvoice: Int64?
    /// For credit notes: why.
    public var reason: String?
    /// For credit notes: what was refunded through the gateway.
    public var refunded: Int64
    /// For credit notes: the VAT reversed per rate, fixed by `CreditRule` when the note was
    /// issued (so credits add up to the invoice's VAT); `nil` computes it from the lines.
    public var fixedVAT: [Int64: Int64]?
    /// Full or simplified (`InvoiceForm`); a simplified invoice says so.
    public var form: InvoiceForm = .full
    /// For invoices: how much of the total was already paid (captured) when it was issued;
    /// nil on documents issued before this was recorded.
    public var paid: Int64?
    /// The payment method of the order (`visa`, `mobilepay`, …), when known.
    public var paymentMethod: String?
    /// The buyer's company and VAT number (B2B), as printed.
    public var buyerCompany: String?
    public var buyerVATNumber: String?
    /// The VAT treatment when not Danish VAT: `reverse_charge` (intra-community supply to a
    /// VAT-registered business, § 58 stk. 1 nr. 10–11), with `vatNote` in the buyer's language
    /// ("Omvendt betalingspligt" / "Reverse charge"); or `oss`: a distance sale taxed in the
    /// delivery country `vatCountry` (`OSS`), every line at that country's rates.
    public var vatTreatment: String?
    public var vatNote: String?
    /// Under OSS: the EU member state whose VAT the document charges.
    public var vatCountry: String?
    /// For a document in another currency than DKK: the rate (DKK per unit) its VAT was
    /// converted at (VAT Directive art. 230), and that VAT in øre (`totalVATDKK`). A credit
    /// note takes its invoice's rate.
    public var exchangeRate: ExchangeRate?
    /// The document's VAT in DKK, fixed when it was issued (for a credit note by the cumulative
    /// rule of `CreditRule.vatDKK`, so the credits of an invoice reverse its DKK VAT exactly).
    public var totalVATDKK: Int64?

    public init(kind: DocumentKind, number: Int64, reference: String, order: Int64, orderReference: String,
                issuedAt: Timestamp, issueDate: String? = nil, deliveryDate: String? = nil, seller: Seller, buyerName: String, buyerAddress: String?,
                currency: Currency, lines: [InvoiceLine], creditsInvoice: Int64? = nil, reason: String? = nil, refunded: Int64 = 0,
                fixedVAT: [Int64: Int64]? = nil,
                buyerPostalAddress: Address? = nil, buyerEmail: String? = nil, paid: Int64? = nil, paymentMethod: String? = nil) {
        self.kind = kind
        self.number = number
        self.reference = reference
        self.order = order
        self.orderReference = orderReference
        self.issuedAt = issuedAt
        self.issueDate = issueDate ?? issuedAt.date
        self.deliveryDate = deliveryDate
        self.seller = seller
        self.buyerName = buyerName
        self.buyerAddress = buyerAddress
        self.currency = currency
        self.lines = lines
        self.creditsInvoice = creditsInvoice
        self.reason = reason
        self.refunded = refunded
        // Kept only where it differs from what the lines give, so equal documents compare equal.
        if let fixedVAT, VATBreakdown(lines.map { ($0.gross, $0.vatRate) }, fixedVAT: fixedVAT) != VATBreakdown(lines.map { ($0.gross, $0.vatRate) }) {
            self.fixedVAT = fixedVAT
        }
        self.buyerPostalAddress = buyerPostalAddress
        self.buyerEmail = buyerEmail
        self.paid = paid
        self.paymentMethod = paymentMethod
    }

    /// VAT per rate (taxable amount, VAT, gross), computed once per rate.
    public var breakdown: VATBreakdown { VATBreakdown(lines.map { ($0.gross, $0.vatRate) }, fixedVAT: fixedVAT) }
    /// Total including VAT.
    public var total: Int64 { lines.reduce(0) { $0 + $1.gross } }

    /// The full document as JSON: every § 58 field, named plainly.
    public var json: JSON {
        let b = breakdown
        var o: JSONObject = [
            "kind": .string(kind.rawValue), "number": .int(number), "reference": .string(reference),
            "order": .int(order), "order_reference": .string(orderReference),
            "issue_date": .string(issueDate), "issued_at": .string(issuedAt.iso8601),
        ]
        if let deliveryDate { o["delivery_date"] = .string(deliveryDate) }
        o["form"] = .string(form.rawValue)
        o["seller"] = seller.json
        var buyer: JSONObject = ["name": .string(buyerName), "address": .optional(buyerAddress)]
        if let buyerPostalAddress { buyer["postal_address"] = buyerPostalAddress.json }
        if let buyerEmail { buyer["email"] = .string(buyerEmail) }
        if let buyerCompany { buyer["company"] = .string(buyerCompany) }
        if let buyerVATNumber { buyer["vat_number"] = .string(buyerVATNumber) }
        o["buyer"] = .object(buyer)
        if let vatTreatment { o["vat_treatment"] = .string(vatTreatment) }
        if let vatNote { o["vat_note"] = .string(vatNote) }
        if let vatCountry { o["vat_country"] = .string(vatCountry) }
        o["currency"] = .string(currency.code)
        if let exchangeRate { o["exchange_rate"] = .string(exchangeRate.description) }
        if let totalVATDKK { o["total_vat_dkk"] = .int(totalVATDKK) }
        o["lines"] = .array(lines.map(\.json))
        o["vat"] = .array(b.rows.map { ["rate": .int($0.rate), "net": .int($0.net), "vat": .int($0.vat), "gross": .int($0.gross)] })
        o["total_net"] = .int(b.net)
        o["total_vat"] = .int(b.vat)
        o["total"] = .int(b.gross)
        if let creditsInvoice { o["credits_invoice"] = .int(creditsInvoice) }
        if let reason { o["reason"] = .string(reason) }
        if kind == .credit_note { o["refunded"] = .int(refunded) }
        if let paid { o["paid"] = .int(paid) }
        if let paymentMethod { o["payment_method"] = .string(paymentMethod) }
        return .object(o)
    }

    /// Restores a stored document (trusted JSON written by `json`).
    public init?(stored j: JSON) {
        guard let kind = j["kind"]?.stringValue.flatMap(DocumentKind.init(rawValue:)), let number = j["number"]?.intValue,
              let ref = j["reference"]?.stringValue, let order = j["order"]?.intValue,
              let issued = j["issued_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
              let cur = j["currency"]?.stringValue.flatMap(Currency.init(code:))
        else { return nil }
        let s = j["seller"]
        var fixed: [Int64: Int64]?
        if kind == .credit_note, let rows = j["vat"]?.arrayValue {
            // A credit note's VAT was fixed when it was issued: read it back, never recompute it.
            fixed = [:]
            for r in rows { if let rate = r["rate"]?.intValue, let v = r["vat"]?.intValue { fixed?[rate] = v } }
        }
        self.init(
            kind: kind, number: number, reference: ref, order: order,
            orderReference: j["order_reference"]?.stringValue ?? String(order), issuedAt: issued, issueDate: j["issue_date"]?.stringValue,
            deliveryDate: j["delivery_date"]?.stringValue,
            seller: Seller(name: s?["name"]?.stringValue ?? "", address: s?["address"]?.stringValue ?? "", vatNumber: s?["vat_number"]?.stringValue ?? ""),
            buyerName: j["buyer"]?["name"]?.stringValue ?? "", buyerAddress: j["buyer"]?["address"]?.stringValue,
            currency: cur, lines: (j["lines"]?.arrayValue ?? []).compactMap(InvoiceLine.init(stored:)),
            creditsInvoice: j["credits_invoice"]?.intValue, reason: j["reason"]?.stringValue,
            refunded: j["refunded"]?.intValue ?? 0, fixedVAT: fixed,
            buyerPostalAddress: j["buyer"]?["postal_address"].flatMap(Address.init(stored:)),
            buyerEmail: j["buyer"]?["email"]?.stringValue, paid: j["paid"]?.intValue,
            paymentMethod: j["payment_method"]?.stringValue)
        form = j["form"]?.stringValue.flatMap(InvoiceForm.init(rawValue:)) ?? .full
        buyerCompany = j["buyer"]?["company"]?.stringValue
        buyerVATNumber = j["buyer"]?["vat_number"]?.stringValue
        vatTreatment = j["vat_treatment"]?.stringValue
        vatNote = j["vat_note"]?.stringValue
        vatCountry = j["vat_country"]?.stringValue
        exchangeRate = ExchangeRate.stored(j["exchange_rate"])
        totalVATDKK = j["total_vat_dkk"]?.intValue
    }

    /// A short summary for `order.get`'s `invoices` list.
    public var summary: JSON {
        var o: JSONObject = [
            "kind": .string(kind.rawValue), "number": .int(number), "reference": .string(reference),
            "issue_date": .string(issueDate), "total": .int(total),
        ]
        if let creditsInvoice { o["credits_invoice"] = .int(creditsInvoice) }
        return .object(o)
    }
}
