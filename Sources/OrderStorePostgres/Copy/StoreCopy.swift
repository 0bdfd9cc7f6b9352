import OrderCore
import PostgresClient

/// Where `oe store copy` reads a shop from: a store of the same tables (today the SQLite
/// store's file). Implemented by the command line over SQLite's C API.
public protocol StoreCopySource {
    /// The names of the source's tables (without its own internal ones).
    func tables() throws -> [String]
    /// The column names of `table`, in order.
    func columns(_ table: String) throws -> [String]
    /// Every row of `table`, ordered by `orderBy`, as the values of `columns`.
    func rows(_ table: String, columns: [String], orderBy: String) throws -> [[PostgresValue]]
    /// Runs a one-row query of aggregates (``StoreCopy/checksumSQL(table:integers:texts:)``)
    /// and returns each value as text (`null` for NULL).
    func aggregates(_ sql: String) throws -> [String]
}

/// Copies a whole shop into an empty PostgreSQL database, in one transaction, and verifies it.
///
/// Every table of the store is copied row for row with its ids (so numbers, references and
/// keys stay as they were); identity columns then continue after the highest id. The target
/// is migrated first and must be empty (``PostgresDatabases/isEmpty(_:)``), so a copy never
/// mixes two shops. Before the commit, every table's checksum (its row count, the sum of each
/// integer column and the summed length of each text column) is computed by each database
/// itself and compared: a difference rolls everything back and names the table.
public struct StoreCopy {
    /// The tables in an order that satisfies every foreign key, with the key that orders their rows.
    public static let tables: [(name: String, key: String)] = [
        ("meta", "key"), ("settings", "key"), ("statuses", "key"), ("number_series", "series"),
        ("orders", "number"), ("order_docs", "number"), ("returns", "number"), ("payments", "id"), ("shipments", "id"),
        ("documents", "kind, number"), ("timeline", "id"), ("outbox", "id"), ("effects", "id"),
    ]

    /// One table's checksum in both databases.
    public struct TableReport: Sendable, Equatable {
        public let table: String
        public let rows: Int64
        /// The checksum values (count, sums) as text, equal in source and target.
        public let checksum: [String]
    }

    /// A copier; it writes `order_docs.search_folded` from the copied search text
    /// (``PostgresSearch/indexed(_:)``).
    public init() {}

    /// The aggregates compared per table (valid SQL in SQLite and PostgreSQL alike).
    public static func checksumSQL(table: String, integers: [String], texts: [String]) -> String {
        let parts = ["count(*)"] + integers.map { "sum(\($0))" } + texts.map { "sum(length(\($0)))" }
        return "SELECT " + parts.joined(separator: ", ") + " FROM \(table)"
    }

    /// Copies `source` into the database of `target` and returns the verified checksum of every
    /// table. Throws `conflict` when the target holds a shop already, `invalid` when the source
    /// has a table or column the PostgreSQL store does not, `storage` when a checksum differs
    /// (nothing is then written).
    public func copy(from source: some StoreCopySource, to target: PostgresConnection) throws -> [TableReport] {
        try PostgresSchema.migrate(target)
        guard try PostgresDatabases.isEmpty(target) else {
            throw OrderError(.conflict, "to: the target database already holds a shop; copy only into an empty database", field: "to")
        }
        let known = Set(StoreCopy.tables.map(\.name))
        if let extra = try source.tables().first(where: { !known.contains($0) }) {
            throw OrderError(.invalid, "from: the source has table '\(extra)', which the PostgreSQL store does not have (update this engine)", field: "from")
        }
        let copied = try target.transaction {
            try target.exec("DELETE FROM meta; DELETE FROM number_series")
            var reports: [TableReport] = []
            for (table, key) in StoreCopy.tables {
                let targetColumns = try columnTypes(table, on: target)
                let sourceColumns = try source.columns(table)
                if let missing = sourceColumns.first(where: { targetColumns[$0] == nil }) {
                    throw OrderError(.invalid, "from: column \(table).\(missing) has no place in the PostgreSQL store (update this engine)", field: "from")
                }
                var columns = sourceColumns
                let folds = table == "order_docs" && !sourceColumns.contains("search_folded")
                if folds { columns.append("search_folded") }
                let searchIndex = sourceColumns.firstIndex(of: "search")
                let insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
                    + (1...columns.count).map { "$\($0)" }.joined(separator: ", ") + ")"
                for var row in try source.rows(table, columns: sourceColumns, orderBy: key) {
                    if folds, let i = searchIndex, case .text(let s) = row[i] { row.append(.text(PostgresSearch.indexed(s))) }
                    try target.query(insert, row)
                }
                if targetColumns["id"] != nil {
                    try target.query("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), max(id)) FROM \(table) HAVING count(*) > 0")
                }
                let integers = sourceColumns.filter { targetColumns[$0] == "bigint" }
                let texts = sourceColumns.filter { targetColumns[$0] == "text" }
                let sql = StoreCopy.checksumSQL(table: table, integers: integers, texts: texts)
                let expected = try source.aggregates(sql)
                let actual = try target.query(sql).first!.values.map(StoreCopy.render)
                guard expected == actual else {
                    throw OrderError(.storage, "copy of \(table) does not verify: source \(expected), target \(actual); nothing was written")
                }
                reports.append(TableReport(table: table, rows: Int64(actual[0]) ?? -1, checksum: actual))
            }
            return reports
        }
        // The copied shop is queried at once: statistics for the planner and a visibility map
        // for index-only scans now, not whenever autovacuum comes round (a count of 100,000
        // orders by status: 21 ms with 30 % of its rows fetched from the table, 12 ms after).
        try target.exec("VACUUM (ANALYZE) " + (StoreCopy.tables.map(\.name) + ["order_search"]).joined(separator: ", "))
        return copied
    }

    /// The PostgreSQL data type of every column of `table`.
    func columnTypes(_ table: String, on c: PostgresConnection) throws -> [String: String] {
        var types: [String: String] = [:]
        for r in try c.query("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
            """, [.text(table)]) {
            types[try r.string(0)] = try r.string(1)
        }
        return types
    }

    /// A checksum value as text: integers and numerics in decimal, NULL as `null`.
    static func render(_ v: PostgresValue) -> String {
        switch v {
        case .null: "null"
        case .int(let i): String(i)
        case .text(let s): s
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .bytes(let b): "\(b.count) bytes"
        }
    }
}
