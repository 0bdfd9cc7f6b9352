import OrderCore

/// One layout of an invoice or credit note, the single model both the PDF and the HTML
/// renderer draw: texts already in the reader's language and amounts already formatted, so
/// the renderers only place them. Built by `DocumentLayout.init(_:)`; general over the lines
/// (goods, fees and discounts are all lines).
///
/// Every field of momsbekendtgørelsen § 58 stk. 1 is here: issue date, number, seller's VAT
/// number, seller's and buyer's name and address, quantity and kind of goods, delivery date
/// (when not the issue date), taxable amount per rate, unit price excluding VAT, discounts
/// (lines of their own, negative), VAT rate and VAT amount; a credit note names the invoice
/// it corrects (§ 58 stk. 2).
public struct DocumentLayout: Sendable, Equatable {
    /// A label and its value (the facts block, totals).
    public struct Field: Sendable, Equatable {
        public var label: String
        public var value: String
        /// Printed in bold (the total).
        public var strong: Bool = false
    }

    /// A name and its address lines.
    public struct Party: Sendable, Equatable {
        public var heading: String
        public var lines: [String]
    }

    /// A table column: its heading and whether its cells are numbers (right-aligned).
    public struct Column: Sendable, Equatable {
        public var heading: String
        public var numeric: Bool
        /// Share of the table width (the columns' weights sum to 1).
        public var weight: Double
    }

    public var language: Language
    /// "Faktura", "Kreditnota", "Forenklet faktura" …
    public var title: String
    /// The document's number as printed (`F-5001`).
    public var reference: String
    public var facts: [Field]
    public var seller: Party
    public var buyer: Party
    public var columns: [Column]
    /// One row per line; cells as formatted text, one per column.
    public var rows: [[String]]
    /// The VAT breakdown: one row per rate ("Moms 25 % af 1.000,00": "250,00").
    public var vatRows: [Field]
    public var totals: [Field]
    public var notes: [String]
    /// The seller's name, address and VAT number in one line.
    public var footer: String
    /// "Side" / "Page".
    public var pageWord: String
    public var logoPNG: [UInt8]?
    public var fontFamily: String
    /// The PDF's creation date (the issue time), so the same document gives the same bytes.
    public var issuedAt: Timestamp

    /// Lays out `input`.
    public init(_ input: DocumentInput) {
        let d = input.document
        let lang = input.language
        let t = DocumentTexts.of(lang)
        let cur = d.currency
        let amounts = LineAmounts.allocate(d.lines)
        let breakdown = d.breakdown
        let isCredit = d.kind == .credit_note
        // Simplified invoice (total up to 3.000 kr. incl. VAT, no buyer address).
        let simplified = !isCredit && d.buyerAddress == nil && cur.code == "DKK" && d.linesTotal <= 300_000
        language = lang
        title = isCredit ? t.creditNote : d.onAccount ? OnAccount.title(lang) : simplified ? t.simplifiedInvoice : t.invoice
        reference = d.reference
        var facts = [Field(label: isCredit ? t.creditNoteNumber : t.number, value: d.reference),
                     Field(label: isCredit ? t.creditNoteDate : t.issueDate, value: DocumentLayout.date(d.issueDate, lang))]
        if let dd = d.deliveryDate { facts.append(Field(label: t.deliveryDate, value: DocumentLayout.date(dd, lang))) }
        facts.append(Field(label: t.orderReference, value: d.orderReference))
        if isCredit, let c = input.creditedInvoice {
            facts.append(Field(label: t.creditsInvoice, value: c.reference))
            facts.append(Field(label: t.creditedInvoiceDate, value: DocumentLayout.date(c.issueDate, lang)))
        }
        facts.append(Field(label: t.vatNumber, value: d.seller.vatNumber))
        self.facts = facts
        seller = Party(heading: t.seller, lines: [d.seller.name] + input.sellerAddress.lines + ["\(t.vatNumber) \(d.seller.vatNumber)"])
        var buyerLines = [d.buyerCompany, d.buyerName].compactMap { $0 }.filter { !$0.isEmpty }
        if let p = d.buyerPostalAddress { buyerLines += PostalAddress(p).lines } else if let a = d.buyerAddress { buyerLines.append(a) }
        if let v = d.buyerVATNumber, !v.isEmpty { buyerLines.append("\(t.buyerVATNumber) \(v)") }
        buyer = Party(heading: t.buyer, lines: buyerLines)
        // A fee or an amount credit is a line of its own; a discount lowers its line, shown in a
        // column of its own (excl. VAT, as the other amounts) when any line has one:
        // unit price × quantity − discount = net.
        let discounted = d.lines.contains { $0.discount != 0 }
        columns = [Column(heading: t.description, numeric: false, weight: discounted ? 0.28 : 0.34),
                   Column(heading: t.qty, numeric: true, weight: 0.08),
                   Column(heading: t.unitPrice, numeric: true, weight: discounted ? 0.14 : 0.16)]
            + (discounted ? [Column(heading: t.discount, numeric: true, weight: 0.14)] : [])
            + [Column(heading: t.net, numeric: true, weight: discounted ? 0.14 : 0.16), Column(heading: t.vatRate, numeric: true, weight: discounted ? 0.08 : 0.10),
               Column(heading: t.vat, numeric: true, weight: discounted ? 0.14 : 0.16)]
        rows = zip(d.lines, amounts).map { l, a in
            [l.name + (l.sku.isEmpty ? "" : "  (\(l.sku))"), String(l.qty), DocumentLayout.number(l.unitPriceExclVAT, cur, lang)]
                + (discounted ? [l.discount == 0 ? "" : DocumentLayout.number(-a.discountNet, cur, lang)] : [])
                + [DocumentLayout.number(a.net, cur, lang), DocumentLayout.rate(l.vatRate, lang), DocumentLayout.number(a.vat, cur, lang)]
        }
        // A final invoice deducts the on-account invoices it settles, one row per rate, negative.
        rows += d.deductions.map { x in
            let name = OnAccount.deductionLabel(x, lang) + " \(lang == .da ? "af" : "of") \(DocumentLayout.date(x.issueDate, lang))"
            return [name, "1", DocumentLayout.number(-x.net, cur, lang)] + (discounted ? [""] : [])
                + [DocumentLayout.number(-x.net, cur, lang), DocumentLayout.rate(x.rate, lang), DocumentLayout.number(-x.vat, cur, lang)]
        }
        vatRows = breakdown.rows.map { r in
            Field(label: "\(t.vat) \(DocumentLayout.rate(r.rate, lang))\(d.vatCountry.map { " (\($0))" } ?? "") \(t.vatOf) \(cur.format(r.net, for: lang))",
                  value: cur.format(r.vat, for: lang))
        }
        var totals = [Field(label: t.totalNet, value: cur.format(breakdown.net, for: lang)),
                      Field(label: t.totalVAT, value: cur.format(breakdown.vat, for: lang)),
                      Field(label: t.total, value: cur.format(breakdown.gross, for: lang), strong: true)]
        if let dkk = d.totalVATDKK {
            totals.insert(Field(label: t.vatInDKK, value: Currency.dkk.format(dkk, for: lang)), at: 2)
        }
        var notes: [String] = []
        if d.onAccount { notes.append(t.onAccountNote) }
        if !d.deductions.isEmpty {
            let refs = Array(Set(d.deductions.map(\.reference))).sorted().joined(separator: ", ")
            notes.append("\(t.finalInvoiceNote) \(refs): \(cur.format(d.linesTotal, for: lang)) − \(cur.format(d.linesTotal - d.total, for: lang)) = \(cur.format(d.total, for: lang)).")
        }
        if isCredit {
            totals.append(Field(label: t.refunded, value: cur.format(d.refunded, for: lang)))
            notes.append("\(t.paymentStatus): \(d.refunded >= d.total ? t.statusRefunded : t.statusNotRefunded)")
            if let reason = d.reason { notes.append("\(t.reason): \(reason)") }
        } else {
            let paid = d.paid ?? 0
            totals.append(Field(label: t.paid, value: cur.format(paid, for: lang)))
            totals.append(Field(label: t.due, value: cur.format(d.total - paid, for: lang)))
            let status = paid >= d.total ? t.statusPaid : paid > 0 ? t.statusPartlyPaid : t.statusUnpaid
            notes.append("\(t.paymentStatus): \(status)")
        }
        if let m = d.paymentMethod { notes.append("\(t.paymentMethod): \(DocumentLayout.methodName(m))") }
        if let vatNote = VATNote.text(treatment: d.vatTreatment, country: d.vatCountry, language: lang) ?? d.vatNote {
            // Reverse charge (§ 58 stk. 1 nr. 10–11): the note, and both VAT numbers (printed above);
            // OSS: the delivery country. In the render language, not the stored buyer's language.
            notes.append(vatNote)
        } else if breakdown.rows.contains(where: { $0.rate == 0 }) {
            notes.append(t.zeroRatedNote)
        }
        notes.append("\(t.amountsIn) \(cur.code).")
        if let r = d.exchangeRate {
            let rate = lang == .da ? String(r.description.map { $0 == "." ? "," : $0 }) : r.description
            notes.append("\(t.exchangeRate): 1 \(cur.code) = \(rate) DKK.")
        }
        self.totals = totals
        self.notes = notes
        footer = ([d.seller.name] + input.sellerAddress.lines + ["\(t.vatNumber) \(d.seller.vatNumber)"]).joined(separator: " · ")
        pageWord = t.page
        logoPNG = input.logoPNG
        fontFamily = input.fontFamily
        issuedAt = d.issuedAt
    }

    /// `2026-12-02` as `02.12.2026` (da) or `2 December 2026` (en).
    static func date(_ iso: String, _ lang: Language) -> String {
        let p = iso.split(separator: "-")
        guard p.count == 3, let m = Int(p[1]), m >= 1, m <= 12, let day = Int(p[2]) else { return iso }
        if lang == .da { return "\(p[2]).\(p[1]).\(p[0])" }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(day) \(months[m - 1]) \(p[0])"
    }

    /// An amount without the currency, for table cells: `1.234,50` (da), `1,234.50` (en).
    static func number(_ minor: Int64, _ cur: Currency, _ lang: Language) -> String {
        let s = cur.format(minor, for: lang)
        if lang == .da { return s.hasSuffix(" kr.") ? String(s.dropLast(4)) : String(s.dropLast(cur.code.count + 1)) }
        return String(s.dropFirst(cur.code.count + 1))
    }

    /// Basis points as a percentage: `2500` → `25 %`, `1250` → `12,5 %` (da) / `12.5 %` (en).
    static func rate(_ bp: Int64, _ lang: Language) -> String {
        let whole = bp / 100, frac = bp % 100
        guard frac != 0 else { return "\(whole) %" }
        let f = frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0\(frac)" : String(frac))
        return "\(whole)\(lang == .da ? "," : ".")\(f) %"
    }

    /// A payment method's printed name.
    static func methodName(_ m: String) -> String {
        switch m {
        case "visa": "Visa"
        case "visa_electron": "Visa Electron"
        case "mastercard": "Mastercard"
        case "maestro": "Maestro"
        case "amex": "American Express"
        case "mobilepay": "MobilePay"
        case "dankort": "Dankort"
        case "klarna": "Klarna"
        default: m
        }
    }
}
