/// Where an address lies for VAT: in which member state's VAT area, or outside the EU VAT area.
///
/// The EU VAT area is not the map of the 27 member states (VAT Directive art. 6 and 7):
/// - **outside** it, though in a member state: the Canary Islands (ES postcodes 35…, 38…), Ceuta
///   and Melilla (ES 51…, 52…), Åland (FI 22…), the French overseas departments and
///   collectivities (FR 97…, 986–988), Heligoland (DE 27498), Büsingen (DE 78266), Mount Athos
///   (GR 63086), Livigno (IT 23041) and Campione d'Italia (IT 22061) — supplies there are
///   exports, neither OSS nor reverse charge;
/// - **inside** it, though not a member state: Monaco (`MC`) is French VAT territory;
/// - Greenland and the Faroe Islands (`GL`, `FO`) are outside the Danish VAT area, like any
///   country that is not a member state.
/// The postcode decides within a country (digits only, spaces and a leading country code
/// ignored: `AX-22100`, `D-27498`).
public enum VATTerritory {
    /// Postcode prefixes outside the EU VAT area, per member state.
    public static let outside: [String: [String]] = [
        "ES": ["35", "38", "51", "52"],
        "FI": ["22"],
        "FR": ["97", "986", "987", "988"],
        "DE": ["27498", "78266"],
        "GR": ["63086"],
        "IT": ["23041", "22061"],
    ]

    /// The member state whose VAT area `address` lies in (`MC` counts as `FR`), or nil when it
    /// lies outside the EU VAT area.
    public static func vatCountry(_ address: Address) -> String? {
        if address.country == "MC" { return "FR" }
        let country = address.country
        guard EUVATRates.isMember(country) else { return nil }
        let digits = String(address.postalCode.unicodeScalars.filter { $0 >= "0" && $0 <= "9" }.map(Character.init))
        if let prefixes = outside[country], prefixes.contains(where: { digits.hasPrefix($0) }) { return nil }
        return country
    }
}
