import OrderCore

/// Writes an invoice or credit note as a Peppol BIS Billing 3.0 document (UBL 2.1 `Invoice`
/// or `CreditNote`, EN 16931), the format NemHandel and Peppol receivers take.
///
/// What it states: the seller with its CVR as electronic address and legal entity (scheme
/// `0184`, `DK` + 8 digits) and as VAT number; the buyer with its name, e-mail contact and
/// postal address — a consumer has no Peppol address, so the buyer's electronic address is
/// the seller's own endpoint (the e-invoice is then the shop's bookkeeping copy) (a buyer without an address on the
/// order is given the seller's country, the only part the rules require); one tax subtotal
/// per VAT rate (category `S`, `Z` at 0 %, or `AE` under reverse charge with the buyer's VAT
/// number; a Danish business buyer's CVR is its endpoint and legal entity, scheme `0184`) whose taxable amount is the sum of its lines
/// (see `LineAmounts`); the paid amount as prepaid; the payment means (card `48`, online
/// payment service `68`, or `1` for a Danish seller); the delivery date; for a credit note the invoice it corrects as
/// billing reference. Line prices are net of VAT and before discount, with up to 6 decimals, and
/// a line's discount is its allowance (reason code 95), so quantity × price − allowance gives
/// the line amount (PEPPOL-EN16931-R120); fees are lines of their own. An OSS document's lines
/// are category `S` at the delivery country's rate; a document in another currency than DKK
/// names DKK as its tax currency and adds the VAT total in DKK as a second tax total.
public enum UBLWriter {
    /// The XML text of `input`'s document.
    public static func render(_ input: DocumentInput) -> String {
        let d = input.document
        let credit = d.kind == .credit_note
        let cur = d.currency
        let amounts = LineAmounts.allocate(d.lines)
        let breakdown = d.breakdown
        let reverseCharge = d.vatTreatment == "reverse_charge"
        var x = XMLWriter()
        let root = credit ? "CreditNote" : "Invoice"
        x.start(root, [
            ("xmlns", "urn:oasis:names:specification:ubl:schema:xsd:\(root)-2"),
            ("xmlns:cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"),
            ("xmlns:cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"),
        ])
        x.leaf("cbc:CustomizationID", "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
        x.leaf("cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
        x.leaf("cbc:ID", d.reference)
        x.leaf("cbc:IssueDate", d.issueDate)
        x.leaf(credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode", credit ? "381" : "380")
        if let reason = d.reason { x.leaf("cbc:Note", reason) }
        x.leaf("cbc:DocumentCurrencyCode", cur.code)
        // A foreign-currency document states its VAT in DKK too (BT-6, BT-111; VAT Directive art. 230).
        if d.totalVATDKK != nil { x.leaf("cbc:TaxCurrencyCode", "DKK") }
        x.leaf("cbc:BuyerReference", d.orderReference)
        x.element("cac:OrderReference") { $0.leaf("cbc:ID", d.orderReference) }
        if credit, let c = input.creditedInvoice {
            x.element("cac:BillingReference") { w in
                w.element("cac:InvoiceDocumentReference") { w in
                    w.leaf("cbc:ID", c.reference)
                    w.leaf("cbc:IssueDate", c.issueDate)
                }
            }
        }
        supplier(&x, input)
        customer(&x, input)
        if let dd = d.deliveryDate { x.element("cac:Delivery") { $0.leaf("cbc:ActualDeliveryDate", dd) } }
        if let method = d.paymentMethod {
            x.element("cac:PaymentMeans") { w in
                w.leaf("cbc:PaymentMeansCode", paymentMeansCode(method, sellerCountry: input.sellerAddress.country),
                       [("name", DocumentLayout.methodName(method))])
                w.leaf("cbc:PaymentID", d.orderReference)
            }
        }
        let money: [(String, String)] = [("currencyID", cur.code)]
        x.element("cac:TaxTotal") { w in
            w.leaf("cbc:TaxAmount", amount(breakdown.vat, cur), money)
            for r in breakdown.rows {
                w.element("cac:TaxSubtotal") { w in
                    w.leaf("cbc:TaxableAmount", amount(r.net, cur), money)
                    w.leaf("cbc:TaxAmount", amount(r.vat, cur), money)
                    taxCategory(&w, "cac:TaxCategory", r.rate, reverseCharge: reverseCharge, exemption: true)
                }
            }
        }
        if let dkk = d.totalVATDKK {
            // The VAT total in the tax currency: a second TaxTotal without subtotals (BR-53).
            x.element("cac:TaxTotal") { $0.leaf("cbc:TaxAmount", amount(dkk, .dkk), [("currencyID", "DKK")]) }
        }
        let settled = credit ? d.refunded : (d.paid ?? 0)
        x.element("cac:LegalMonetaryTotal") { w in
            w.leaf("cbc:LineExtensionAmount", amount(breakdown.net, cur), money)
            w.leaf("cbc:TaxExclusiveAmount", amount(breakdown.net, cur), money)
            w.leaf("cbc:TaxInclusiveAmount", amount(breakdown.gross, cur), money)
            if settled != 0 { w.leaf("cbc:PrepaidAmount", amount(settled, cur), money) }
            w.leaf("cbc:PayableAmount", amount(breakdown.gross - settled, cur), money)
        }
        for (k, (l, a)) in zip(d.lines, amounts).enumerated() {
            x.element(credit ? "cac:CreditNoteLine" : "cac:InvoiceLine") { w in
                w.leaf("cbc:ID", String(k + 1))
                // A negative line (an amount credit) has a negative quantity: prices are never negative (BR-27).
                let qty = a.net < 0 ? -l.qty : l.qty
                w.leaf(credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", String(qty), [("unitCode", "H87")])
                w.leaf("cbc:LineExtensionAmount", amount(a.net, cur), money)
                // A discount is the line's allowance (BG-27, excl. VAT), so quantity × price − allowance
                // is the line amount (PEPPOL-EN16931-R120); the price is the one before discount.
                let allowance = a.net >= 0 && a.discountNet > 0 ? a.discountNet : 0
                if allowance > 0 {
                    w.element("cac:AllowanceCharge") { w in
                        w.leaf("cbc:ChargeIndicator", "false")
                        w.leaf("cbc:AllowanceChargeReasonCode", "95")
                        w.leaf("cbc:AllowanceChargeReason", input.language == .da ? "Rabat" : "Discount")
                        w.leaf("cbc:Amount", amount(allowance, cur), money)
                    }
                }
                w.element("cac:Item") { w in
                    w.leaf("cbc:Name", l.name)
                    if !l.sku.isEmpty { w.element("cac:SellersItemIdentification") { $0.leaf("cbc:ID", l.sku) } }
                    taxCategory(&w, "cac:ClassifiedTaxCategory", l.vatRate, reverseCharge: reverseCharge)
                }
                w.element("cac:Price") { $0.leaf("cbc:PriceAmount", price((a.net + allowance).magnitude, qty: l.qty.magnitude, cur), money) }
            }
        }
        x.end()
        return x.text
    }

    private static func supplier(_ x: inout XMLWriter, _ input: DocumentInput) {
        let s = input.document.seller
        let vat = sellerCVR(s)
        x.element("cac:AccountingSupplierParty") { w in
            w.element("cac:Party") { w in
                w.leaf("cbc:EndpointID", vat, [("schemeID", "0184")])
                w.element("cac:PartyName") { $0.leaf("cbc:Name", s.name) }
                postal(&w, input.sellerAddress)
                w.element("cac:PartyTaxScheme") { w in
                    w.leaf("cbc:CompanyID", vat)
                    w.element("cac:TaxScheme") { $0.leaf("cbc:ID", "VAT") }
                }
                w.element("cac:PartyLegalEntity") { w in
                    w.leaf("cbc:RegistrationName", s.name)
                    w.leaf("cbc:CompanyID", vat, [("schemeID", "0184")])
                }
            }
        }
    }

    private static func customer(_ x: inout XMLWriter, _ input: DocumentInput) {
        let d = input.document
        let address = d.buyerPostalAddress.map(PostalAddress.init)
            ?? PostalAddress(street: nil, postalCode: nil, city: nil, country: input.sellerAddress.country)
        let name = d.buyerCompany.flatMap { $0.isEmpty ? nil : $0 } ?? d.buyerName
        let vat = d.buyerVATNumber.flatMap { $0.isEmpty ? nil : $0 }
        // A Danish business is reached on NemHandel by its CVR (scheme 0184).
        let danishCVR = vat.flatMap { v in v.hasPrefix("DK") && v.dropFirst(2).count == 8 && v.dropFirst(2).allSatisfy(\.isNumber) ? v : nil }
        x.element("cac:AccountingCustomerParty") { w in
            w.element("cac:Party") { w in
                // A consumer (or a business abroad, whose Peppol address the order does not
                // carry) gets the seller's own endpoint: a copy for the shop's books.
                w.leaf("cbc:EndpointID", danishCVR ?? sellerCVR(d.seller), [("schemeID", "0184")])
                w.element("cac:PartyName") { $0.leaf("cbc:Name", name) }
                postal(&w, address)
                if let vat {
                    w.element("cac:PartyTaxScheme") { w in
                        w.leaf("cbc:CompanyID", vat)
                        w.element("cac:TaxScheme") { $0.leaf("cbc:ID", "VAT") }
                    }
                }
                w.element("cac:PartyLegalEntity") { w in
                    w.leaf("cbc:RegistrationName", name)
                    if let danishCVR { w.leaf("cbc:CompanyID", danishCVR, [("schemeID", "0184")]) }
                }
                if let email = d.buyerEmail { w.element("cac:Contact") { $0.leaf("cbc:ElectronicMail", email) } }
            }
        }
    }

    /// The seller's CVR as Peppol writes it (scheme 0184): `DK` and the 8 digits.
    static func sellerCVR(_ s: Seller) -> String {
        let digits = String(s.vatNumber.filter(\.isNumber))
        return digits.isEmpty ? s.vatNumber : "DK" + digits
    }

    private static func postal(_ x: inout XMLWriter, _ a: PostalAddress) {
        x.element("cac:PostalAddress") { w in
            w.leaf("cbc:StreetName", a.street)
            w.leaf("cbc:AdditionalStreetName", a.additionalStreet)
            w.leaf("cbc:CityName", a.city)
            w.leaf("cbc:PostalZone", a.postalCode)
            w.element("cac:Country") { $0.leaf("cbc:IdentificationCode", a.country) }
        }
    }

    /// `S` (standard rate), `Z` (0 %), or `AE` under reverse charge (BR-AE: 0 %, both parties'
    /// VAT numbers); a tax subtotal's AE category says why no VAT is charged (BR-AE-10).
    private static func taxCategory(_ x: inout XMLWriter, _ name: String, _ rate: Int64, reverseCharge: Bool, exemption: Bool = false) {
        let ae = reverseCharge && rate == 0
        x.element(name) { w in
            w.leaf("cbc:ID", ae ? "AE" : rate == 0 ? "Z" : "S")
            w.leaf("cbc:Percent", percent(rate))
            if ae && exemption {
                w.leaf("cbc:TaxExemptionReasonCode", "VATEX-EU-AE")
                w.leaf("cbc:TaxExemptionReason", "Reverse charge")
            }
            w.element("cac:TaxScheme") { $0.leaf("cbc:ID", "VAT") }
        }
    }

    /// UNCL 4461: 48 bank card; 68 online payment service (MobilePay, Klarna) — which Danish
    /// suppliers may not use (DK-R-005), so theirs say 1 (not defined) with the method's name.
    static func paymentMeansCode(_ method: String, sellerCountry: String) -> String {
        switch method {
        case "visa", "visa_electron", "mastercard", "maestro", "amex", "dankort": "48"
        case "mobilepay", "klarna": sellerCountry == "DK" ? "1" : "68"
        default: "1"
        }
    }

    /// Minor units as a decimal: `123450` → `1234.50`.
    static func amount(_ minor: Int64, _ cur: Currency) -> String {
        let neg = minor < 0
        let m = minor.magnitude
        guard cur.minorUnits > 0 else { return (neg ? "-" : "") + String(m) }
        var div: UInt64 = 1
        for _ in 0..<cur.minorUnits { div *= 10 }
        let frac = String(m % div)
        return (neg ? "-" : "") + String(m / div) + "." + String(repeating: "0", count: cur.minorUnits - frac.count) + frac
    }

    /// `net / qty` in major units with at most 6 decimals (trailing zeros dropped to 2).
    static func price(_ net: UInt64, qty: UInt64, _ cur: Currency) -> String {
        guard qty > 0 else { return amount(Int64(net), cur) }
        var scale: UInt64 = 1
        for _ in 0..<(6 - cur.minorUnits) { scale *= 10 }
        let scaled = (net * scale * 2 + qty) / (qty * 2)  // rounded half up, in 10^-6 major units
        var digits = String(scaled)
        if digits.count < 7 { digits = String(repeating: "0", count: 7 - digits.count) + digits }
        var whole = String(digits.dropLast(6)), frac = String(digits.suffix(6))
        while frac.count > cur.minorUnits, frac.hasSuffix("0") { frac.removeLast() }
        if whole.isEmpty { whole = "0" }
        return frac.isEmpty ? whole : whole + "." + frac
    }

    /// Basis points as a percent: `2500` → `25`, `1250` → `12.5`.
    static func percent(_ bp: Int64) -> String {
        let whole = bp / 100, frac = bp % 100
        if frac == 0 { return String(whole) }
        return frac % 10 == 0 ? "\(whole).\(frac / 10)" : "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
