/// The SQL of a text search over `order_docs.search_folded`, shared by the store's order
/// queries (pages and counts) so every query uses the index the same way.
public enum PostgresSearch {
    /// The expression the GIN index `order_docs_search` is built over; a query must repeat it
    /// exactly for the planner to use the index.
    public static let vector = "to_tsvector('simple', search_folded)"

    /// A condition on `orders.number` (or any column given as `column`) that holds for the
    /// orders whose folded search text matches the tsquery in parameter `$parameter` (the
    /// text of ``SearchFolding/tsquery(_:)``). The matches are collected from the index first
    /// (`MATERIALIZED`), so a common word is not left to a plan that walks every order in
    /// number order and filters (docs/postgresql.md measured 5–11 ms for that).
    public static func matches(column: String = "orders.number", parameter: Int) -> String {
        "\(column) IN (SELECT number FROM order_docs WHERE \(vector) @@ to_tsquery('simple', $\(parameter)))"
    }

    /// A `WITH` clause naming the matching order numbers `search_hits(number)`, materialized,
    /// for queries that join it: `WITH … SELECT … FROM search_hits JOIN orders USING (number)`.
    public static func hitsCTE(parameter: Int) -> String {
        "search_hits AS MATERIALIZED (SELECT number FROM order_docs WHERE \(vector) @@ to_tsquery('simple', $\(parameter)))"
    }
}
