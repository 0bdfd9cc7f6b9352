/// The printed VAT note of a document that is not under Danish VAT, in a language: the
/// document stores it in the buyer's language (`vat_note`), and a rendering in another
/// language prints it in the render language.
public enum VATNote {
    /// The note for `treatment` (`reverse_charge` or `oss`, with its `country`) in `language`;
    /// nil for another treatment.
    public static func text(treatment: String?, country: String?, language: Language) -> String? {
        switch treatment {
        case "reverse_charge": return language == .da ? "Omvendt betalingspligt" : "Reverse charge"
        case "oss":
            guard let country else { return nil }
            return language == .da
                ? "Moms efter leveringslandets regler (\(country)), angivet via One Stop Shop-ordningen (OSS)."
                : "VAT of the country of delivery (\(country)), declared through the One-Stop Shop (OSS)."
        default: return nil
        }
    }
}
