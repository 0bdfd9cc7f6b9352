/// The standard VAT rates of the 27 EU member states, in basis points, keyed by ISO 3166
/// alpha-2 code (`GR` for Greece, whose VAT prefix is `EL`), as they stood on `asOf`.
///
/// Rates change (Finland 25.5 % from 1 September 2024, Slovakia 23 % from 1 January 2025,
/// Estonia 24 % from 1 July 2025, Romania 21 % from 1 August 2025): a shop overrides a
/// country with `settings.set {"oss": {"rates": {"DE": 1900}}}` the day a rate changes, and a
/// line's reduced rate with its `vat_rates`. Sources: the European Commission's "VAT rates
/// applied in the Member States" and the national tax authorities; verify before relying on it.
public enum EUVATRates {
    /// The date the table was last checked against the published rates.
    public static let asOf = "2025-08-01"

    /// Standard rate per member state, basis points.
    public static let standard: [String: Int64] = [
        "AT": 2000, "BE": 2100, "BG": 2000, "CY": 1900, "CZ": 2100, "DE": 1900, "DK": 2500, "EE": 2400,
        "ES": 2100, "FI": 2550, "FR": 2000, "GR": 2400, "HR": 2500, "HU": 2700, "IE": 2300, "IT": 2200,
        "LT": 2100, "LU": 1700, "LV": 2100, "MT": 1800, "NL": 2100, "PL": 2300, "PT": 2300, "RO": 2100,
        "SE": 2500, "SI": 2200, "SK": 2300,
    ]

    /// Whether `country` (ISO 3166 alpha-2) is an EU member state.
    public static func isMember(_ country: String) -> Bool { standard[country] != nil }
}
