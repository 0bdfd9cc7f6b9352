/// On-account (aconto) invoices: money captured before the goods it pays for can be invoiced
/// as whole units — a deposit, or a prepayment the capture policy allows (made-to-order goods,
/// or `anytime` under a prepayment agreement) — is invoiced at once as an **on-account invoice**
/// ("Acontofaktura" / "On-account invoice") in the invoice series, because VAT is due on
/// prepayments when they are received (momsloven § 23 stk. 3).
///
/// **The split.** An on-account invoice carries one line per VAT rate of the order, the amount
/// spread in proportion to the value at each rate that is neither invoiced nor already paid on
/// account (largest remainder, `CreditRule.split`); the VAT per rate is the rounding rule on
/// that share.
///
/// **The final invoice.** A later invoice for the goods lists their lines in full and deducts
/// the open on-account invoices (oldest first, per rate and with the VAT they charged, each
/// named by its number): its `total` — what is left to pay — is the goods less the deductions,
/// and its VAT per rate is the goods' VAT less the deducted VAT. An invoice deducts
/// `min(open on account, its goods)`, so invoiced totals never count the prepayment twice.
///
/// **Crediting.** An on-account invoice can be credited (amount or its per-rate lines) for what
/// no final invoice has deducted; a final invoice is credited against its goods lines (the goods
/// it lists, deductions included). Per order and per rate, credited never exceeds invoiced.
public enum OnAccount {
    /// The sku prefix of an on-account invoice's lines: `on_account:<rate>`.
    public static let skuPrefix = "on_account:"

    /// The name of an on-account line: `Acontobeløb (25 % moms)` / `On-account payment (25% VAT)`.
    public static func lineLabel(rate: Int64, _ language: Language) -> String {
        language == .da ? "Acontobeløb (\(CreditRule.rateLabel(rate, .da)) moms)" : "On-account payment (\(CreditRule.rateLabel(rate, .en)) VAT)"
    }

    /// The document title of an on-account invoice.
    public static func title(_ language: Language) -> String { language == .da ? "Acontofaktura" : "On-account invoice" }

    /// How a deduction reads on a final invoice: `Fradrag acontofaktura 7 af 23.11.2026`.
    public static func deductionLabel(_ d: OnAccountDeduction, _ language: Language) -> String {
        let rate = CreditRule.rateLabel(d.rate, language)
        return language == .da ? "Fradrag acontofaktura \(d.reference) (\(rate) moms)" : "Less on-account invoice \(d.reference) (\(rate) VAT)"
    }

    /// Per rate of on-account invoice `invoice`: what it charged, and as "credited" what final
    /// invoices have deducted plus what credit notes against it reversed — so `leftGross` is
    /// what is still open on account at that rate.
    public static func balances(of invoice: InvoiceDocument, documents: [InvoiceDocument]) -> [CreditRule.Balance] {
        var out = CreditRule.plainBalances(of: invoice, documents: documents)
        for d in documents where d.kind == .invoice {
            for x in d.deductions where x.invoice == invoice.number {
                if let k = out.firstIndex(where: { $0.rate == x.rate }) {
                    out[k].creditedGross += x.gross
                    out[k].creditedVAT += x.vat
                }
            }
        }
        return out
    }

    /// Gross still open on account on order `a` (paid on account, neither deducted nor credited).
    public static func open(_ a: OrderAggregate) -> Int64 {
        a.invoices.filter(\.onAccount).reduce(0) { s, inv in s + balances(of: inv, documents: a.documents).reduce(0) { $0 + max(0, $1.leftGross) } }
    }

    /// The deductions a final invoice worth `value` makes: `min(value, open)` taken from the
    /// open on-account invoices oldest first, within each split over its open rates in proportion
    /// (the last deduction at a rate takes exactly the VAT left there).
    public static func deductions(for value: Int64, on a: OrderAggregate) -> [OnAccountDeduction] {
        var left = min(value, open(a))
        var out: [OnAccountDeduction] = []
        for inv in a.invoices where inv.onAccount && left > 0 {
            let b = balances(of: inv, documents: a.documents)
            let here = min(left, b.reduce(0) { $0 + max(0, $1.leftGross) })
            guard here > 0 else { continue }
            let shares = CreditRule.split(here, balances: b)
            let vat = CreditRule.vat(of: shares, balances: b)
            for rate in shares.keys.sorted() {
                out.append(OnAccountDeduction(invoice: inv.number, reference: inv.reference, issueDate: inv.issueDate, rate: rate,
                                              gross: shares[rate]!, vat: vat[rate] ?? 0))
            }
            left -= here
        }
        return out
    }

    /// Per VAT rate of order `a`: the value not yet invoiced as goods (after discounts), less
    /// what is open on account at that rate (never negative).
    public static func uninvoicedValueByRate(_ a: OrderAggregate) -> [Int64: Int64] {
        let invoiced = a.invoicedQuantities
        var out: [Int64: Int64] = [:]
        for l in a.order.lines {
            let before = min(invoiced[l.sku] ?? 0, l.qty)
            out[l.vatRate, default: 0] += l.value(of: l.qty - before, after: before)
        }
        for inv in a.invoices where inv.onAccount {
            for b in balances(of: inv, documents: a.documents) { out[b.rate, default: 0] -= max(0, b.leftGross) }
        }
        return out.filter { $0.value > 0 }
    }

    /// The lines of an on-account invoice of `amount` on `a` (one per rate, see the split above),
    /// named in the customer's language; `nil` when less than `amount` is left uninvoiced.
    public static func lines(_ amount: Int64, on a: OrderAggregate) -> [InvoiceLine]? {
        let open = uninvoicedValueByRate(a)
        guard amount > 0, open.values.reduce(0, +) >= amount else { return nil }
        let b = open.map { CreditRule.Balance(rate: $0.key, invoicedGross: $0.value, invoicedVAT: 0, creditedGross: 0, creditedVAT: 0) }
        let shares = CreditRule.split(amount, balances: b.sorted { $0.rate < $1.rate })
        let language = a.order.customer.language
        return shares.keys.sorted().map { rate in
            InvoiceLine(sku: "\(skuPrefix)\(rate)", name: lineLabel(rate: rate, language), qty: 1, unitPrice: shares[rate]!, vatRate: rate)
        }
    }
}

/// One rate of an on-account invoice deducted on a final invoice: the amount (VAT included)
/// and the VAT it had charged, with the on-account invoice's number, reference and date.
public struct OnAccountDeduction: Sendable, Equatable {
    /// The on-account invoice's number.
    public var invoice: Int64
    /// Its reference as printed.
    public var reference: String
    /// Its issue date, `YYYY-MM-DD`.
    public var issueDate: String
    /// Basis points.
    public var rate: Int64
    /// Deducted amount, VAT included (positive).
    public var gross: Int64
    /// The VAT in it (positive).
    public var vat: Int64

    /// Creates a deduction.
    public init(invoice: Int64, reference: String, issueDate: String, rate: Int64, gross: Int64, vat: Int64) {
        self.invoice = invoice
        self.reference = reference
        self.issueDate = issueDate
        self.rate = rate
        self.gross = gross
        self.vat = vat
    }

    /// The net deducted.
    public var net: Int64 { gross - vat }

    /// `{"invoice", "reference", "issue_date", "vat_rate", "gross", "vat", "net"}`.
    public var json: JSON {
        ["invoice": .int(invoice), "reference": .string(reference), "issue_date": .string(issueDate), "vat_rate": .int(rate),
         "gross": .int(gross), "vat": .int(vat), "net": .int(net)]
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let n = j["invoice"]?.intValue, let ref = j["reference"]?.stringValue, let rate = j["vat_rate"]?.intValue,
              let g = j["gross"]?.intValue, let v = j["vat"]?.intValue else { return nil }
        self.init(invoice: n, reference: ref, issueDate: j["issue_date"]?.stringValue ?? "", rate: rate, gross: g, vat: v)
    }
}
