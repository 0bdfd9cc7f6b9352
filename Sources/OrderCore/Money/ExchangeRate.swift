/// An exchange rate to Danish kroner, exact: DKK per one unit of a foreign currency as a
/// decimal, kept as the integer `units` × 10^−`scale` (`"7.4604"` is 74604 × 10^−4). Parsed
/// from a decimal string, never from a floating-point number, so the rate the host passes is
/// the rate the invoice states, digit for digit.
///
/// Conversion (`dkk(_:from:)`) multiplies in 128 bits and rounds half away from zero once, to
/// øre. Example: 19.00 EUR of VAT at `"7.4604"` is 141.7476 kr., stated as 141.75 kr.
public struct ExchangeRate: Sendable, Equatable, CustomStringConvertible {
    /// The rate's digits without the decimal point.
    public let units: Int64
    /// Digits after the decimal point (0–8).
    public let scale: Int

    /// The most digits after the point.
    public static let maxScale = 8
    /// The most significant digits in all.
    public static let maxDigits = 15

    /// Parses `"7.4604"`: digits, at most one point with 1–8 digits after it, at most 15 digits,
    /// greater than zero. Returns a sentence saying what is wrong otherwise.
    public static func parse(_ text: String) -> Result<ExchangeRate, ExchangeRateError> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let digitsOnly: (Substring) -> Bool = { s in !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard parts.count <= 2, digitsOnly(parts[0]), parts.count == 1 || digitsOnly(parts[1]) else {
            return .failure(ExchangeRateError("'\(text)' is not a decimal number such as \"7.4604\" (DKK per 1 unit of the currency; digits and one point)"))
        }
        let frac = parts.count == 2 ? parts[1] : ""
        guard frac.count <= maxScale else { return .failure(ExchangeRateError("'\(text)' has more than \(maxScale) digits after the point")) }
        let all = (parts[0] + frac).drop { $0 == "0" }
        guard all.count <= maxDigits, let u = Int64(all.isEmpty ? "0" : String(all)) else {
            return .failure(ExchangeRateError("'\(text)' has more than \(maxDigits) significant digits"))
        }
        guard u > 0 else { return .failure(ExchangeRateError("'\(text)' is not above zero")) }
        return .success(ExchangeRate(units: u, scale: frac.count))
    }

    private init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// The rate as it was given, normalised (`"7.4604"`; `"7.460400"` keeps its scale).
    public var description: String {
        guard scale > 0 else { return String(units) }
        var s = String(units)
        if s.count <= scale { s = String(repeating: "0", count: scale - s.count + 1) + s }
        return String(s.dropLast(scale)) + "." + String(s.suffix(scale))
    }

    /// The plausible range a rate given to a command must lie in, DKK per unit: from 0.0001
    /// (weaker currencies than any traded today still fit: 1 VND is about 0.0003 kr.) to
    /// 100000. A rate outside it is a typo or a unit mix-up, never a price.
    public static let plausibleRange = "0.0001 to 100000"

    /// Whether the rate lies in `plausibleRange` (0.0001 ≤ rate ≤ 100000).
    public var isPlausible: Bool {
        var scaleFactor = Int128(1)
        for _ in 0..<scale { scaleFactor *= 10 }
        return Int128(units) * 10_000 >= scaleFactor && Int128(units) <= 100_000 * scaleFactor
    }

    /// `minor` units of `currency` in øre, rounded half away from zero, or nil when the result
    /// does not fit in Int64 (the caller refuses the conversion: an amount never saturates).
    public func checkedDKK(_ minor: Int64, from currency: Currency) -> Int64? {
        let q = exactDKK(minor.magnitude, from: currency)
        guard q <= Int128(Int64.max) else { return nil }
        return minor < 0 ? -Int64(q) : Int64(q)
    }

    /// `minor` units of `currency` in øre, rounded half away from zero. Amounts within
    /// `±Amounts.max` at any valid rate fit in 128 bits; a result beyond Int64 saturates —
    /// callers that take the amount from input check it with `checkedDKK` first.
    public func dkk(_ minor: Int64, from currency: Currency) -> Int64 {
        let q = exactDKK(minor.magnitude, from: currency)
        let clamped = q > Int128(Int64.max) ? Int64.max : Int64(q)
        return minor < 0 ? -clamped : clamped
    }

    /// The magnitude in øre, in 128 bits.
    private func exactDKK(_ magnitude: UInt64, from currency: Currency) -> Int128 {
        // øre = minor × units × 10^2 / (10^scale × 10^minorUnits)
        var num = Int128(magnitude) * Int128(units)
        var den = Int128(1)
        let exp = scale + currency.minorUnits - Currency.dkk.minorUnits
        if exp >= 0 { for _ in 0..<exp { den *= 10 } } else { for _ in 0..<(-exp) { num *= 10 } }
        var q = num / den
        if (num % den) * 2 >= den { q += 1 }
        return q
    }
}

/// Why an exchange rate was refused.
public struct ExchangeRateError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension ExchangeRate {
    /// A rate read back from stored JSON (trusted): nil when absent or malformed.
    public static func stored(_ json: JSON?) -> ExchangeRate? {
        guard let t = json?.stringValue, case .success(let r) = parse(t) else { return nil }
        return r
    }

    /// Reads the optional decimal-string `key` of `p` (`"exchange_rate": "7.4604"`), refusing
    /// numbers (a JSON number may have passed through a float) and malformed rates as `invalid`
    /// naming the field.
    public static func read(_ p: ParamReader, _ key: String) throws(OrderError) -> ExchangeRate? {
        guard let v = p.raw(key) else { return nil }
        guard case .string(let s) = v else {
            throw OrderError.invalid(p.fieldPath(key), "give the rate as a decimal string such as \"7.4604\" (DKK per 1 unit of the order's currency), got \(v.compactText)")
        }
        switch parse(s) {
        case .success(let r):
            guard r.isPlausible else {
                throw OrderError.invalid(p.fieldPath(key), "'\(s)' DKK per unit is not a plausible exchange rate; it must lie between \(plausibleRange) DKK per unit")
            }
            return r
        case .failure(let e): throw OrderError.invalid(p.fieldPath(key), e.message)
        }
    }
}
