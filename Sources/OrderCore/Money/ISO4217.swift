/// The ISO 4217 currency table: every code in current use, with its number of minor units
/// (digits after the decimal point). One table, so every face of the engine agrees on which
/// codes exist and how many decimals an amount in minor units has.
///
/// Left out on purpose: the funds codes for precious metals, SDRs and testing (`XAU`, `XAG`,
/// `XPD`, `XPT`, `XDR`, `XSU`, `XUA`, `XBA`–`XBD`, `XTS`, `XXX`), which have no minor unit
/// ("N.A." in the standard) and are never an order's currency, and codes withdrawn before
/// 2023 (`HRK`, `SLL`, `ZWL`, `MRO`, `STD`, `VEF`, `CUC`). `BGN` (replaced by the euro on
/// 2026-01-01) and `ANG` (replaced by `XCG` in 2025) are kept so documents of earlier orders
/// stay readable.
///
/// Written by hand from the standard's published list (a table of ~180 constants; no Swift
/// package on this machine carries it).
enum ISO4217 {
    /// Codes whose minor unit is not 2.
    static let exceptions: [String: Int] = [
        // No minor unit.
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
        "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        // Three decimals (fils, baisa, millimes, dirhams).
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        // Units of account with four decimals.
        "CLF": 4, "UYW": 4,
    ]

    /// Codes with two decimals (the rule).
    static let twoDecimals: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
        "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY",
        "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR",
        "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA",
        "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
        "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD",
        "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
        "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD",
        "XCG", "YER", "ZAR", "ZMW", "ZWG",
    ]

    /// The minor units of `code`, or nil when it is not a current ISO 4217 code.
    static func minorUnits(_ code: String) -> Int? {
        if let n = exceptions[code] { return n }
        return twoDecimals.contains(code) ? 2 : nil
    }
}
