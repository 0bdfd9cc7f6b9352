/// The shape of a seller's or buyer's VAT number, checked offline (real shops also ask VIES).
///
/// - A Danish CVR (or SE) number is 8 digits whose modulus-11 check holds (weights 2, 7, 6, 5,
///   4, 3, 2, 1; the weighted sum is divisible by 11), written `12345678` or with the country
///   prefix `DK13585628` (spaces allowed: `DK 1234 5678`).
/// - Another EU VAT number starts with its country prefix (`DE`, `SE`, `EL` for Greece, `XI`
///   for Northern Ireland, …) followed by 2–12 letters or digits.
public enum VATNumber {
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
        guard (2...12).contains(rest.count), rest.allSatisfy({ $0.isASCIIDigit || ($0.isLetter && $0.isASCII) }) else {
            return .failure(VATNumberError("'\(raw)': after the prefix \(prefix) come 2 to 12 letters or digits"))
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
