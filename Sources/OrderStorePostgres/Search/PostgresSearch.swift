import Foundation
import OrderCore

/// Text search in the PostgreSQL store, with the SQLite store's semantics.
///
/// One folding rule: OrderCore's `SearchFolding` folds the search text an order is stored
/// with (`order_docs.search`, written alike by both stores) and the words a merchant types.
/// SQLite's FTS5 index then splits the folded text into words and removes what diacritics
/// are left on Latin letters (`unicode61 remove_diacritics 2`). Here the store does that
/// itself: ``indexed(_:)`` writes those words, space-separated, into `order_docs.search_folded`;
/// a trigger keeps the narrow table `order_search` (number, `words`: their `simple` tsvector
/// without positions; migration `pg4-search-index`) in step, and its GIN index answers the
/// tsquery ``tsquery(_:)`` makes of `SearchFolding.terms`: every word whole, in any order, the
/// last from three characters also a prefix (`'jens' & 'hol':*`).
public enum PostgresSearch {
    /// The indexed column (`order_search.words`, GIN index `order_search_words`) a tsquery is
    /// matched against.
    public static let vector = "words"

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
        "\(column) IN (SELECT number FROM order_search WHERE \(vector) @@ to_tsquery('simple', $\(parameter)))"
    }

    /// The condition on `order_search.words` for the tsquery in parameter `$parameter`, for a
    /// query over ``joined``.
    public static func condition(parameter: Int) -> String {
        "\(vector) @@ to_tsquery('simple', $\(parameter))"
    }

    /// The `FROM` of an order query with a text search: the narrow table joined to `orders` by
    /// number, the planner choosing per tsquery (the statement is planned for its value, and
    /// `order_search` has statistics) between walking both in number order until a page is
    /// full (a common word: 0.3 ms for the first page of 8,333 hits in 100,000 orders) and
    /// collecting the GIN index's hits and sorting them (a rare one: 1 ms for an e-mail).
    /// Worst measured: 30 ms for two common words no order has together (the planner assumes
    /// words independent and walks every order); a materialized CTE of the hits was 50 ms for
    /// a word every order has and 7 ms for a common name (docs/postgresql.md).
    public static let joined = "order_search JOIN orders USING (number)"
}
