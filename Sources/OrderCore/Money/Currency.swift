/// An ISO 4217 currency code such as `DKK`, with its number of minor units.
///
/// Amounts in OrderEngine are always integers in the currency's minor unit (øre for DKK);
/// the currency travels with the order, not with each amount.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    /// The three-letter code, upper case.
    public let code: String
    /// Digits after the decimal point, from the ISO 4217 table (2 for DKK, EUR, SEK, NOK; 0 for
    /// ISK, JPY; 3 for KWD, BHD).
    public let minorUnits: Int

    /// Danish kroner, the default.
    public static let dkk = Currency(uncheckedCode: "DKK", minorUnits: 2)

    private init(uncheckedCode: String, minorUnits: Int) {
        self.code = uncheckedCode
        self.minorUnits = minorUnits
    }

    /// The currency of an ISO 4217 code in current use (upper case, as the standard writes it),
    /// with its minor units from the table in `ISO4217`. Returns `nil` for anything else: a
    /// lower-case code, three letters that are no currency (`ABC`), a withdrawn code (`HRK`).
    public init?(code: String) {
        guard let units = ISO4217.minorUnits(code) else { return nil }
        self.code = code
        self.minorUnits = units
    }

    public var description: String { code }

    /// Formats an amount for a customer reading `language`: Danish `1.234,50 kr.` (other
    /// currencies `1.234,50 EUR`), English `DKK 1,234.50`. (Messages and logs use `format`.)
    public func format(_ minor: Int64, for language: Language) -> String {
        let neg = minor < 0
        let m = minor.magnitude
        var div: UInt64 = 1
        for _ in 0..<minorUnits { div *= 10 }
        let whole = String(m / div)
        let (group, decimal) = language == .da ? (".", ",") : (",", ".")
        var grouped = ""
        for (k, ch) in whole.enumerated() {
            if k > 0 && (whole.count - k) % 3 == 0 { grouped += group }
            grouped.append(ch)
        }
        var number = grouped
        if minorUnits > 0 {
            let frac = String(m % div)
            number += decimal + String(repeating: "0", count: minorUnits - frac.count) + frac
        }
        if neg { number = "-" + number }
        if language == .da { return code == "DKK" ? number + " kr." : number + " " + code }
        return code + " " + number
    }

    /// Formats an amount of minor units for people: `1234567` DKK → `12345.67 DKK`.
    public func format(_ minor: Int64) -> String {
        guard minorUnits > 0 else { return "\(minor) \(code)" }
        let neg = minor < 0
        let m = minor.magnitude
        var div: UInt64 = 1
        for _ in 0..<minorUnits { div *= 10 }
        let frac = String(m % div)
        let fracPadded = String(repeating: "0", count: minorUnits - frac.count) + frac
        return "\(neg ? "-" : "")\(m / div).\(fracPadded) \(code)"
    }
}
