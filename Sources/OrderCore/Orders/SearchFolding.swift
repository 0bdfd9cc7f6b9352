/// The folding every store applies to free-text search, on both sides: to the text an order is
/// indexed under and to the words a merchant types. Written once here so the SQLite and the
/// PostgreSQL store find the same orders.
///
/// Danish names are spelt several ways, and a merchant at a keyboard without æ, ø and å types
/// the substitutes: "Søren" is searched as "soren" or "soeren", "Århus" as "aarhus" or
/// "arhus", "Jæger" as "jaeger". Folding maps each spelling to one form:
///
/// - lower case;
/// - `æ`, `ä` → `ae`; `ø`, `ö` → `o`; `å` → `a`; `ß` → `ss`; every other accented Latin letter
///   to its base letter (é, ë → e; ü → u; š → s), precomposed or written with combining marks;
/// - then the digraphs the substitutes produce collapse: `oe` → `o`, `aa` → `a`.
///
/// So "Søren", "soren" and "soeren" all fold to `soren`; "Århus", "aarhus" and "arhus" to
/// `arhus`; "Jæger" and "jaeger" to `jaeger`. The price is a few extra matches for words that
/// really contain "oe" or "aa" ("Joe" also finds "Jo"), which a search box tolerates.
public enum SearchFolding {
    /// Accented Latin letters (lower case) and their base letter: folded here, on both sides,
    /// rather than left to a store's diacritic removal, so that a letter removed there cannot
    /// meet a digraph collapsed here ("Citroën" indexed as "citroen" while "citroen" typed
    /// folds to "citron").
    static let latinBase: [Unicode.Scalar: Unicode.Scalar] = {
        var m: [Unicode.Scalar: Unicode.Scalar] = [:]
        let groups: [(String, Unicode.Scalar)] = [
            ("àáâãāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
            ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşš", "s"), ("ţťŧ", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ]
        for (letters, base) in groups { for l in letters.unicodeScalars { m[l] = base } }
        return m
    }()

    /// `text` folded as described above. Characters other than letters pass through unchanged
    /// (the stores split words on them).
    public static func fold(_ text: String) -> String {
        var substituted: [Unicode.Scalar] = []
        substituted.reserveCapacity(text.unicodeScalars.count + 4)
        for scalar in text.lowercased().unicodeScalars {
            switch scalar {
            case "æ", "ä": substituted.append("a"); substituted.append("e")
            case "ø", "ö": substituted.append("o")
            case "å": substituted.append("a")
            case "ß": substituted.append("s"); substituted.append("s")
            // The same letters written decomposed (a letter and a combining mark), as text
            // pasted from some systems arrives.
            case "\u{30A}" where substituted.last == "a": break
            case "\u{308}" where substituted.last == "a": substituted.append("e")
            case "\u{308}" where substituted.last == "o": break
            case "\u{300}"..."\u{36F}": break  // any other combining mark: its base letter stays
            default:
                if let base = SearchFolding.latinBase[scalar] { substituted.append(base) } else { substituted.append(scalar) }
            }
        }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < substituted.count {
            let c = substituted[i]
            out.append(c)
            if i + 1 < substituted.count {
                let next = substituted[i + 1]
                if (c == "o" && next == "e") || (c == "a" && next == "a") { i += 2; continue }
            }
            i += 1
        }
        return String(out)
    }
}
