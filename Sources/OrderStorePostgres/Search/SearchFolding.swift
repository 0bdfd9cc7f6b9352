import Foundation

/// How search text is folded before it is indexed and before it is searched: both sides go
/// through the same function, so whatever the function makes equal matches.
///
/// The default matches SQLite's FTS5 tokenizer (`unicode61 remove_diacritics 2`): lower
/// case, diacritics removed (é→e, å→a, ö→o), every run of characters that are neither letters
/// nor digits a single space (an e-mail splits into its words). A Danish folding (ø→o, æ→ae,
/// aa→a, so Søren, Soeren and Soren meet) plugs in as `fold` — a pure `(String) -> String`
/// such as the one OrderCore gains in issue 13; the function given replaces the whole fold,
/// so it must also lower-case and split into words. A database's folded column is
/// written with one folding; changing it means rewriting `order_docs.search_folded`.
public struct SearchFolding: Sendable {
    /// The fold: raw text in, the text whose words are indexed out (words separated by spaces).
    public let fold: @Sendable (String) -> String

    /// A folding by `fold`.
    public init(_ fold: @escaping @Sendable (String) -> String) { self.fold = fold }

    /// The folding that matches the SQLite store's FTS5 tokenizer.
    public static let standard = SearchFolding { text in
        let lowered = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        return SearchFolding.words(of: lowered).joined(separator: " ")
    }

    /// The words (maximal runs of letters and digits) of `text`, in order.
    public static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber { current.append(ch) } else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The `to_tsquery('simple', …)` text for what a user typed, with the SQLite store's
    /// semantics: every word must be a word of the order's search text; the last one, from
    /// three characters, may be the start of one (`jens hol` finds "Jens Holm"). At most 16
    /// words are used. Nil when the text has no word at all (the filter then selects nothing
    /// extra). Words are letters and digits only, so nothing in them is tsquery syntax.
    public func tsquery(_ text: String) -> String? {
        let words = SearchFolding.words(of: fold(text))
        guard !words.isEmpty else { return nil }
        let kept = words.prefix(16)
        return kept.enumerated().map { i, w in
            "'" + w + "'" + (i == kept.count - 1 && w.unicodeScalars.count >= 3 ? ":*" : "")
        }.joined(separator: " & ")
    }
}
