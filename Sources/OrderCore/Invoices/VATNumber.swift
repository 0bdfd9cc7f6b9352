/// The shape of a seller's or buyer's VAT number, checked offline (real shops also ask VIES).
///
/// - A Danish CVR (or SE) number is 8 digits whose modulus-11 check holds (weights 2, 7, 6, 5,
///   4, 3, 2, 1; the weighted sum is divisible by 11), written `12345678` or with the country
///   prefix `DK13585628` (spaces allowed: `DK 1234 5678`).
/// - Another EU VAT number starts with its country prefix (`DE`, `SE`, `EL` for Greece, `XI`
///   for Northern Ireland, …) followed by that member state's published format (`formats`).
public enum VATNumber {
    /// The published VAT number format of each member state (after the prefix), as the
    /// European Commission's VIES lists it: `9` a digit, `A` a letter, `X` a letter or digit,
    /// any other character itself. A number matches when it fits one of its country's patterns.
    /// Denmark (`DK`) is checked separately: 8 digits with the CVR modulus-11 check.
    public static let formats: [String: [String]] = [
        "AT": ["U99999999"],
        "BE": ["0999999999", "1999999999"],
        "BG": ["999999999", "9999999999"],
        "CY": ["99999999A"],
        "CZ": ["99999999", "999999999", "9999999999"],
        "DE": ["999999999"],
        "EE": ["999999999"],
        "EL": ["999999999"],
        "ES": ["A99999999", "99999999A", "A9999999A"],
        "FI": ["99999999"],
        "FR": ["XX999999999"],
        "HR": ["99999999999"],
        "HU": ["99999999"],
        "IE": ["9999999A", "9999999AA", "9X99999A"],
        "IT": ["99999999999"],
        "LT": ["999999999", "999999999999"],
        "LU": ["99999999"],
        "LV": ["99999999999"],
        "MT": ["99999999"],
        "NL": ["999999999B99"],
        "PL": ["9999999999"],
        "PT": ["999999999"],
        "RO": ["99", "999", "9999", "99999", "999999", "9999999", "99999999", "999999999", "9999999999"],
        "SE": ["999999999901"],
        "SI": ["99999999"],
        "SK": ["9999999999"],
        "XI": ["999999999", "999999999999", "GD999", "HA999"],
    ]

    /// Whether `rest` (the number after the prefix, upper case) fits `pattern` (see `formats`).
    static func matches(_ rest: String, _ pattern: String) -> Bool {
        let r = Array(rest.utf8), p = Array(pattern.utf8)
        guard r.count == p.count else { return false }
        for (c, q) in zip(r, p) {
            let digit = c >= 0x30 && c <= 0x39, letter = c >= 0x41 && c <= 0x5A
            switch q {
            case UInt8(ascii: "9"): if !digit { return false }
            case UInt8(ascii: "A"): if !letter { return false }
            case UInt8(ascii: "X"): if !(digit || letter) { return false }
            default: if c != q { return false }
            }
        }
        return true
    }

    /// EU VAT prefixes (ISO 3166 codes, with `EL` for Greece and `XI` for Northern Ireland).
    public static let euPrefixes: Set<String> = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
        "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    ]

    /// The number in its canonical form (upper case, no spaces, Danish numbers with `DK`), or a
    /// sentence saying what is wrong with it.
    public static func normalize(_ raw: String) -> Result<String, VATNumberError> {
        let s = String(raw.unicodeScalars.filter { $0 != " " && $0 != "-" && $0 != "." }).uppercased()
        if s.count == 8, s.allSatisfy(\.isASCIIDigit) { return checkCVR(s).map { "DK" + $0 } }
        guard s.count >= 4, s.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            return .failure(VATNumberError("'\(raw)' is neither a Danish CVR number (8 digits) nor an EU VAT number with its country prefix"))
        }
        let prefix = String(s.prefix(2))
        let rest = String(s.dropFirst(2))
        guard euPrefixes.contains(prefix) else {
            return .failure(VATNumberError("'\(raw)' does not start with an EU country prefix (e.g. DK, DE, SE)"))
        }
        if prefix == "DK" { return checkCVR(rest).map { "DK" + $0 } }
        let patterns = formats[prefix] ?? []
        guard patterns.contains(where: { matches(rest, $0) }) else {
            let shown = patterns.map { prefix + $0 }.joined(separator: " or ")
            return .failure(VATNumberError("'\(raw)' is not a \(prefix) VAT number: expected \(shown) (9 a digit, A a letter, X a letter or digit)"))
        }
        return .success(s)
    }

    /// A Danish CVR number: 8 digits, modulus 11.
    static func checkCVR(_ digits: String) -> Result<String, VATNumberError> {
        guard digits.count == 8, digits.allSatisfy(\.isASCIIDigit) else {
            return .failure(VATNumberError("a Danish CVR number has 8 digits, got '\(digits)'"))
        }
        let weights = [2, 7, 6, 5, 4, 3, 2, 1]
        let sum = zip(digits, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        guard sum % 11 == 0, digits.first != "0" else {
            return .failure(VATNumberError("'\(digits)' is not a valid Danish CVR number (the modulus-11 check fails)"))
        }
        return .success(digits)
    }
}

/// Why a VAT number was refused.
public struct VATNumberError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension Seller {
    /// The `seller` fields an invoice cannot be issued without: those that are empty, still the
    /// placeholder, or (for the VAT number) not a valid CVR / EU VAT number. Empty when complete.
    public var missingFields: [String] {
        var out: [String] = []
        if name.trimmingSpaces.isEmpty || name == Seller.unset.name { out.append("seller.name") }
        if address.trimmingSpaces.isEmpty || address == Seller.unset.address { out.append("seller.address") }
        if case .failure = VATNumber.normalize(vatNumber) { out.append("seller.vat_number") }
        return out
    }
}

/// Full or simplified invoice (momsbekendtgørelsen § 58; the simplified invoice of VAT
/// Directive art. 226b): below 3,000 kr. incl. VAT an invoice may leave out the buyer's name
/// and address, and then says that it is simplified; from 3,000 kr. (and in any other
/// currency, where the kroner limit cannot be checked) it must carry them.
public enum InvoiceForm: String, Sendable, CaseIterable {
    case full, simplified

    /// The limit in øre: a simplified invoice must total less (3,000.00 kr. incl. VAT).
    public static let simplifiedLimit: Int64 = 300_000

    /// The form an invoice of `total` may take for a buyer with `buyerName` and `buyerAddress`;
    /// a `policy` error naming the missing buyer fields and the amount when none may.
    public static func decide(total: Int64, currency: Currency, buyerName: String, buyerAddress: String?, order: Int64) throws(OrderError) -> InvoiceForm {
        let hasName = buyerName.contains { !$0.isWhitespace }
        let hasAddress = buyerAddress?.contains { !$0.isWhitespace } ?? false
        if hasName && hasAddress { return .full }
        if currency.code == "DKK" && total < simplifiedLimit { return .simplified }
        let missing = [hasName ? nil : "customer.name", hasAddress ? nil : "customer.billing_address"].compactMap { $0 }
        throw OrderError.policy("an invoice of \(currency.format(total)) for order \(order) must be a full invoice with the buyer's name and address "
            + "(momsbekendtgørelsen § 58; a simplified invoice is allowed below \(Currency.dkk.format(simplifiedLimit)) incl. VAT): "
            + "missing \(missing.joined(separator: ", "))")
    }
}
