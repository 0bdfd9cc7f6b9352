import OrderCore

/// The printed words of invoices and credit notes, in Danish and English.
struct DocumentTexts: Sendable {
    let invoice, simplifiedInvoice, creditNote: String
    let number, creditNoteNumber, issueDate, deliveryDate, orderReference, creditsInvoice, vatNumber: String
    /// A credit note's own date, and the date of the invoice it credits.
    let creditNoteDate, creditedInvoiceDate: String
    let seller, buyer: String
    let description, qty, unitPrice, net, vatRate, vat: String
    let vatOf: String  // "Moms %@ af" — rendered as "<vat> <rate> af <taxable>"
    let taxable: String
    let totalNet, totalVAT, total, paid, due, refunded: String
    let statusPaid, statusUnpaid, statusPartlyPaid, statusRefunded, statusNotRefunded: String
    let paymentStatus, paymentMethod: String
    let reason, amountsIn, page: String
    let zeroRatedNote: String
    /// The line's discount column, and the buyer's VAT number label (B2B).
    let discount, buyerVATNumber: String
    /// A foreign-currency document's VAT in DKK (VAT Directive art. 230) and its exchange rate.
    let vatInDKK, exchangeRate: String

    static func of(_ l: Language) -> DocumentTexts { l == .da ? da : en }

    static let da = DocumentTexts(
        invoice: "Faktura", simplifiedInvoice: "Forenklet faktura", creditNote: "Kreditnota",
        number: "Fakturanr.", creditNoteNumber: "Kreditnotanr.", issueDate: "Fakturadato", deliveryDate: "Leveringsdato",
        orderReference: "Ordrenr.", creditsInvoice: "Vedrører faktura nr.", vatNumber: "CVR-nr.",
        creditNoteDate: "Kreditnotadato", creditedInvoiceDate: "Den krediterede fakturas dato",
        seller: "Sælger", buyer: "Køber",
        description: "Varebeskrivelse", qty: "Antal", unitPrice: "Enhedspris ekskl. moms", net: "Beløb ekskl. moms",
        vatRate: "Moms %", vat: "Moms",
        vatOf: "af", taxable: "Momsgrundlag",
        totalNet: "Beløb ekskl. moms i alt", totalVAT: "Moms i alt", total: "I alt inkl. moms", paid: "Betalt", due: "Til betaling",
        refunded: "Tilbagebetalt",
        statusPaid: "Betalt", statusUnpaid: "Ikke betalt", statusPartlyPaid: "Delvist betalt", statusRefunded: "Tilbagebetalt",
        statusNotRefunded: "Ikke tilbagebetalt",
        paymentStatus: "Betalingsstatus", paymentMethod: "Betalingsmåde",
        reason: "Årsag", amountsIn: "Beløb i", page: "Side",
        zeroRatedNote: "Linjer med 0 % moms er momsfri og opgjort for sig.",
        discount: "Rabat ekskl. moms", buyerVATNumber: "Købers momsnr.",
        vatInDKK: "Moms i DKK", exchangeRate: "Kurs")

    static let en = DocumentTexts(
        invoice: "Invoice", simplifiedInvoice: "Simplified invoice", creditNote: "Credit note",
        number: "Invoice no.", creditNoteNumber: "Credit note no.", issueDate: "Invoice date", deliveryDate: "Delivery date",
        orderReference: "Order no.", creditsInvoice: "Credits invoice no.", vatNumber: "VAT no.",
        creditNoteDate: "Credit note date", creditedInvoiceDate: "Date of the credited invoice",
        seller: "Seller", buyer: "Buyer",
        description: "Description", qty: "Qty", unitPrice: "Unit price excl. VAT", net: "Amount excl. VAT",
        vatRate: "VAT %", vat: "VAT",
        vatOf: "of", taxable: "Taxable amount",
        totalNet: "Total excl. VAT", totalVAT: "Total VAT", total: "Total incl. VAT", paid: "Paid", due: "Amount due",
        refunded: "Refunded",
        statusPaid: "Paid", statusUnpaid: "Not paid", statusPartlyPaid: "Partly paid", statusRefunded: "Refunded",
        statusNotRefunded: "Not refunded",
        paymentStatus: "Payment status", paymentMethod: "Payment method",
        reason: "Reason", amountsIn: "Amounts in", page: "Page",
        zeroRatedNote: "Lines at 0 % VAT are exempt and totalled apart.",
        discount: "Discount excl. VAT", buyerVATNumber: "Buyer's VAT no.",
        vatInDKK: "VAT in DKK", exchangeRate: "Exchange rate")
}
