import Foundation
import OrderCore

/// Text search in the PostgreSQL store, with the SQLite store's semantics.
///
/// One folding rule: OrderCore's `SearchFolding` folds the search text an order is stored
/// with (`order_docs.search`, written alike by both stores) and the words a merchant types.
/// SQLite's FTS5 index then splits the folded text into words and removes what diacritics
/// are left on Latin letters (`unicode61 remove_diacritics 2`). Here the store does that
/// itself: ``indexed(_:)`` writes those words, space-separated, into `order_docs.search_folded`,
/// and a GIN index over its `simple` tsvector (no stemming, no stop words) answers the
/// tsquery ``tsquery(_:)`` makes of `SearchFolding.terms`: every word whole, in any order, the
/// last from three characters also a prefix (`'jens' & 'hol':*`).
public enum PostgresSearch {
    /// The expression the GIN index `order_docs_search` is built over; a query must repeat it
    /// exactly for the planner to use the index.
    public static let vector = "to_tsvector('simple', search_folded)"

    /// The `order_docs.search_folded` column for an order's stored search text (`search`,
    /// already folded by `SearchFolding`): its words, as FTS5 would index them, separated by
    /// single spaces, so PostgreSQL's parser sees plain words (never an e-mail or a host).
    public static func indexed(_ search: String) -> String {
        SearchFolding.words(of: search).map(removingLatinDiacritics).joined(separator: " ")
    }

    /// The `to_tsquery('simple', …)` text for what a merchant typed (`SearchFolding.terms`),
    /// nil when it has no word (the filter then selects nothing extra). The words are letters
    /// and digits only, so nothing in them is tsquery syntax.
    public static func tsquery(_ text: String) -> String? {
        let terms = SearchFolding.terms(text)
        guard !terms.isEmpty else { return nil }
        return terms.map { "'" + removingLatinDiacritics($0.word) + "'" + ($0.prefix ? ":*" : "") }.joined(separator: " & ")
    }

    /// `word` with the combining marks on Latin letters removed, as FTS5's `remove_diacritics
    /// 2` does on the SQLite side to what `SearchFolding` leaves (Romanian ș, Vietnamese ạ:
    /// "stefan" finds Ștefan). Other scripts keep their marks, as there.
    static func removingLatinDiacritics(_ word: String) -> String {
        guard word.unicodeScalars.contains(where: { !$0.isASCII }) else { return word }
        var out = String.UnicodeScalarView()
        var latinBase = false
        for s in word.decomposedStringWithCanonicalMapping.unicodeScalars {
            if (0x300...0x36F).contains(s.value) {
                if !latinBase { out.append(s) }
                continue
            }
            latinBase = s.isASCII || (0xC0...0x24F).contains(s.value) || (0x1E00...0x1EFF).contains(s.value)
            out.append(s)
        }
        return String(out).precomposedStringWithCanonicalMapping
    }

    /// A condition on `orders.number` (or any column given as `column`) that holds for the
    /// orders whose folded search text matches the tsquery in parameter `$parameter` (the
    /// text of ``tsquery(_:)``).
    public static func matches(column: String = "orders.number", parameter: Int) -> String {
        "\(column) IN (SELECT number FROM order_docs WHERE \(vector) @@ to_tsquery('simple', $\(parameter)))"
    }

    /// A `WITH` clause naming the matching order numbers `search_hits(number)`, materialized,
    /// for queries that join it: `WITH … SELECT … FROM search_hits JOIN orders USING (number)`.
    /// The matches are collected from the index first, so a page of a common word is not left
    /// to a plan that walks every order in number order and filters (docs/postgresql.md
    /// measured 5–11 ms for that).
    public static func hitsCTE(parameter: Int) -> String {
        "search_hits AS MATERIALIZED (SELECT number FROM order_docs WHERE \(vector) @@ to_tsquery('simple', $\(parameter)))"
    }
}
