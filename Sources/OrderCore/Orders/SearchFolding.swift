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

    /// The words of `text`: its maximal runs of letters and digits, in order. Both stores
    /// split on the same characters (SQLite's FTS5 `unicode61` tokenizer does so for the
    /// indexed text; the PostgreSQL store writes these words into its indexed column).
    public static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber { current.append(ch) } else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// One word of a search as typed, folded, and whether it may match the start of a word.
    public struct Term: Sendable, Equatable {
        /// The folded word (letters and digits only, so no query syntax of any store).
        public var word: String
        /// True for the last word from three characters: it matches every word it begins
        /// (as typed: `jens hol` finds "Jens Holm").
        public var prefix: Bool

        /// A term of `word`, a prefix or not.
        public init(word: String, prefix: Bool) {
            self.word = word
            self.prefix = prefix
        }
    }

    /// What a merchant typed as search terms, the rule both stores query by: the text is
    /// folded and split into words; every word must be a word of the order's search text, in
    /// any order ("holm jens" finds Jens Holm); the last one, from three characters, may be
    /// the start of one ("jens hol" finds him, "jen holm" does not: only the last word is a
    /// prefix). Prefixes are kept to the last word because a store reads a prefix's whole
    /// posting list: with every word a prefix, "example"* and "dk"* meant every order of a
    /// million. At most the first 16 words count. Empty when the text has no word at all
    /// (the filter then selects nothing extra).
    public static func terms(_ text: String) -> [Term] {
        let kept = words(of: fold(text)).prefix(16)
        return kept.enumerated().map { i, w in
            Term(word: w, prefix: i == kept.count - 1 && w.unicodeScalars.count >= 3)
        }
    }
}
