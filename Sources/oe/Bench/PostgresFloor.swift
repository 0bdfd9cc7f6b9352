import ArgumentParser
import OrderCore
import PostgresClient

/// `oe bench pg-floor`: the floor the PostgreSQL store will be measured against — the rows the
/// engine's lifecycle wrote on SQLite, written again into PostgreSQL with raw libpq prepared
/// statements in the same batching as the SQLite floor (`RawFloor`): the same inserts per
/// table, the same updates of each order row and of the number series, each effect's resolving
/// update. The tables mirror the SQLite schema (columns, primary keys, unique and secondary
/// indexes, foreign keys), plus a search index on the order's search text.
struct PostgresFloorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-floor",
        abstract: "The lifecycle's rows written into PostgreSQL with raw libpq prepared statements: the floor of a PostgreSQL store.",
        discussion: """
            Runs `oe bench lifecycle` first (SQLite: the engine, and its raw-SQLite floor) unless --source names the \
            folder of an earlier run, then replays its rows into a fresh schema of --db. For figures comparable with \
            SQLite's synchronous=FULL, use a durable server (scripts/pg-start --durable). \
            The last line is: pg-floor <orders/s> orders/s (batch).
            """)

    @Option(name: .long, help: "The PostgreSQL server (postgresql://user:password@host:port/db?…).")
    var db: String

    @Option(name: .long, help: "Orders in batch mode.")
    var orders: Int = 20_000

    @Option(name: .long, help: "Orders in interactive mode (0 skips it).")
    var interactiveOrders: Int = 2_000

    @Option(name: .long, help: "Orders per transaction in batch mode.")
    var batch: Int = 1000

    @Option(name: .long, help: "A folder of `oe bench lifecycle --dir` (batch.sqlite, interactive.sqlite) to replay instead of running it.")
    var source: String?

    @Option(name: .long, help: "Transactions per order in interactive mode (default: as many as the engine made; needed with --source).")
    var transactionsPerOrder: Int?

    @Option(name: .long, help: "The search index on order_docs.search: simple (the store's: a trigger-filled order_search with a GIN index over its stripped tsvector), trgm (pg_trgm over unaccent), fts (Danish-folded tsvector) or none.")
    var search: SearchIndex = .simple

    @Flag(name: .long, help: "Leave out the foreign keys of the SQLite schema.")
    var noForeignKeys = false

    @Option(name: .long, help: "The schema the floor's tables are made in (dropped first).")
    var schema: String = PostgresFloorBench.defaultSchema

    /// The schema the floor's tables are made in unless told otherwise.
    static let defaultSchema = "oe_floor"

    /// The index the floor keeps on the search text, as the SQLite floor keeps its FTS5 index.
    enum SearchIndex: String, ExpressibleByArgument, CaseIterable {
        case simple, trgm, fts, none
    }

    func validate() throws {
        guard db.hasPrefix("postgresql://") || db.hasPrefix("postgres://") else { throw ValidationError("--db: not a postgresql:// URL") }
        guard orders > 0, batch > 0, interactiveOrders >= 0 else { throw ValidationError("--orders and --batch must be positive") }
        guard schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), schema.first?.isLetter == true else {
            throw ValidationError("--schema: letters, digits and _ only, starting with a letter")
        }
        if source != nil && interactiveOrders > 0 && transactionsPerOrder == nil {
            throw ValidationError("--transactions-per-order is needed with --source (the lifecycle's interactive floor line prints it)")
        }
    }

    func run() throws {
        do {
            let folder = source ?? BenchSupport.temporaryFolder()
            var txPerOrder = transactionsPerOrder ?? 0
            if source == nil {
                let lifecycle = try LifecycleBench.parse(["--orders", "\(orders)", "--interactive-orders", "\(interactiveOrders)",
                                                          "--batch", "\(batch)", "--dir", folder])
                try lifecycle.run()
                if transactionsPerOrder == nil { txPerOrder = LifecycleBench.interactiveTransactionsPerOrder }
            }
            let pg = try PostgresConnection(url: db)
            let settings = try ["fsync", "synchronous_commit", "full_page_writes"].map { try "\($0)=\(pg.query("SELECT current_setting($1)", [.text($0)])[0].string(0))" }
            print("PostgreSQL floor — server \(pg.serverVersion / 10000).\(pg.serverVersion % 100) at \(pg.redactedURL) (\(settings.joined(separator: ", "))); search index \(search.rawValue)\(noForeignKeys ? "; no foreign keys" : "")")
            let rate = try replay(folder + "/batch.sqlite", into: pg, orders: orders, ordersPerTransaction: batch, transactionsPerOrder: nil)
            print("pg floor (same rows, raw libpq, \(batch) orders/transaction): \(Int(rate)) orders/s")
            if interactiveOrders > 0 {
                let r = try replay(folder + "/interactive.sqlite", into: pg, orders: interactiveOrders, ordersPerTransaction: 1,
                                   transactionsPerOrder: max(1, txPerOrder))
                print("pg floor (same rows, raw libpq, \(max(1, txPerOrder)) transactions/order as the engine): \(Int(r)) orders/s")
            }
            print("pg-floor \(Int(rate)) orders/s")
        } catch let e as PostgresError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        } catch let e as OrderError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        }
    }

    /// Creates the floor's tables afresh and replays the rows of `sourcePath`; returns orders/s.
    private func replay(_ sourcePath: String, into pg: PostgresConnection, orders: Int, ordersPerTransaction: Int,
                        transactionsPerOrder: Int?) throws -> Double {
        try PostgresFloorBench.replay(sourcePath, into: pg, schema: schema, search: search, foreignKeys: !noForeignKeys, orders: orders,
                                      ordersPerTransaction: ordersPerTransaction, transactionsPerOrder: transactionsPerOrder).rate
    }

    /// Creates the floor's tables afresh in `schema` of `pg` and replays the rows of the SQLite
    /// database at `sourcePath` (orders 1…`orders`) in the given batching; returns orders/s and
    /// the round trips per order of the replay.
    static func replay(_ sourcePath: String, into pg: PostgresConnection, schema: String, search: SearchIndex, foreignKeys: Bool,
                       orders: Int, ordersPerTransaction: Int, transactionsPerOrder: Int?) throws -> (rate: Double, tripsPerOrder: Double) {
        let src = try RawFloor.openSource(sourcePath)
        try FloorSchema(source: src, schema: schema, search: search, foreignKeys: foreignKeys).create(on: pg)
        let before = PostgresConnection.roundTrips
        let seconds = try RawFloor.replay(from: src, into: PostgresTarget(pg), orders: orders,
                                          ordersPerTransaction: ordersPerTransaction, transactionsPerOrder: transactionsPerOrder)
        return (Double(orders) / seconds, Double(PostgresConnection.roundTrips - before) / Double(orders))
    }
}

// MARK: - Writing

/// A PostgreSQL connection as a floor's target: `?` placeholders become `$1`, `$2`, … (once
/// per statement text), values go out as the client sends them (integers in binary).
final class PostgresTarget: RawFloor.Target {
    let db: PostgresConnection
    private var translated: [String: String] = [:]

    init(_ db: PostgresConnection) { self.db = db }

    func begin() throws { try db.exec("BEGIN") }
    func commit() throws { try db.exec("COMMIT") }

    func run(_ sql: String, _ values: [RawFloor.Value]) throws {
        let text: String
        if let t = translated[sql] { text = t } else { text = PostgresTarget.positional(sql); translated[sql] = text }
        try db.query(text, values.map(PostgresTarget.value))
    }

    static func value(_ v: RawFloor.Value) -> PostgresValue {
        switch v {
        case .null: .null
        case .int(let i): .int(i)
        case .real(let d): .double(d)
        case .text(let s): .text(s)
        case .blob(let b): .bytes(b)
        }
    }

    /// `sql` with each `?` outside single-quoted literals numbered `$1`, `$2`, ….
    static func positional(_ sql: String) -> String {
        var out = ""
        var n = 0
        var quoted = false
        for ch in sql {
            if ch == "'" { quoted.toggle() }
            if ch == "?" && !quoted { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }
}

// MARK: - Schema

/// The floor's tables in PostgreSQL, read off the SQLite database the engine wrote: each
/// table's columns (INTEGER → bigint, TEXT → text, BLOB → bytea, REAL → double precision),
/// NOT NULL, primary key, the unique and secondary indexes (their SQLite definitions, which
/// PostgreSQL reads as they are), and optionally the foreign keys; CHECK constraints and
/// SQLite's append-only triggers (which fire on no insert) are left out.
struct FloorSchema {
    let source: RawFloor.Connection
    let schema: String
    let search: PostgresFloorBench.SearchIndex
    let foreignKeys: Bool

    var tables: [String] { RawFloor.tables.map(\.0) + ["number_series"] }

    func create(on pg: PostgresConnection) throws {
        try pg.exec("DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema); SET search_path TO \(schema), public")
        var constraints: [String] = []
        for table in tables {
            let (_, info) = try source.query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", [.text(table)])
            guard !info.isEmpty else { throw OrderError(.storage, "pg-floor: the source has no table \(table)") }
            var columns: [String] = []
            var key: [(Int64, String)] = []
            for c in info {
                guard case .text(let name) = c[0], case .int(let notNull) = c[2], case .int(let pk) = c[3] else { continue }
                let declared = { if case .text(let t) = c[1] { t.uppercased() } else { "" } }()
                columns.append("\(name) \(FloorSchema.type(declared))\(notNull != 0 ? " NOT NULL" : "")")
                if pk > 0 { key.append((pk, name)) }
            }
            if !key.isEmpty { columns.append("PRIMARY KEY (\(key.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ", ")))") }
            try pg.exec("CREATE TABLE \(table) (\(columns.joined(separator: ", ")))")
            try createIndexes(table, on: pg)
            if foreignKeys {
                let (_, fks) = try source.query("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?)", [.text(table)])
                for fk in fks {
                    guard case .text(let parent) = fk[0], case .text(let from) = fk[1], case .text(let to) = fk[2] else { continue }
                    constraints.append("ALTER TABLE \(table) ADD FOREIGN KEY (\(from)) REFERENCES \(parent) (\(to))")
                }
            }
        }
        for c in constraints { try pg.exec(c) }
        let (cols, series) = try source.query("SELECT * FROM number_series")
        for row in series {
            try pg.queryOnce("INSERT INTO number_series (\(cols.joined(separator: ","))) VALUES (\((1...cols.count).map { "$\($0)" }.joined(separator: ",")))",
                             row.map(PostgresTarget.value))
        }
        try createSearchIndex(on: pg)
    }

    /// The SQLite indexes of `table`: explicit ones by their own definition, UNIQUE constraints
    /// as unique indexes (the primary key is already there).
    private func createIndexes(_ table: String, on pg: PostgresConnection) throws {
        let (_, list) = try source.query("SELECT name, \"unique\", origin FROM pragma_index_list(?)", [.text(table)])
        for index in list {
            guard case .text(let name) = index[0], case .text(let origin) = index[2], !name.hasPrefix("floor_") else { continue }
            if origin == "pk" { continue }
            if origin == "c" {
                let (_, sql) = try source.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [.text(name)])
                guard case .text(let definition) = sql.first?.first else { continue }
                do { try pg.exec(definition) } catch let e as PostgresError {
                    throw OrderError(.storage, "pg-floor: index \(name) does not translate to PostgreSQL (\(e.message)): \(definition)")
                }
            } else {
                let (_, cols) = try source.query("SELECT name FROM pragma_index_info(?) ORDER BY seqno", [.text(name)])
                let names = cols.compactMap { if case .text(let c) = $0[0] { c } else { nil } }
                try pg.exec("CREATE UNIQUE INDEX \(table)_\(names.joined(separator: "_"))_key ON \(table) (\(names.joined(separator: ", ")))")
            }
        }
    }

    /// The search index of `docs/postgresql.md`'s measurements, in place of SQLite's FTS5 index.
    private func createSearchIndex(on pg: PostgresConnection) throws {
        switch search {
        case .none: return
        case .simple:
            // The store's own index (pg4-search-index): the store folds the text in Swift into
            // search_folded (the floor's search column holds the same words), and a trigger
            // keeps the narrow order_search and its GIN index in step.
            try pg.exec("""
                CREATE TABLE order_search (number bigint PRIMARY KEY, words tsvector NOT NULL);
                CREATE INDEX order_search_words ON order_search USING gin (words);
                CREATE FUNCTION oe_order_search() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO order_search (number, words) VALUES (NEW.number, strip(to_tsvector('simple', NEW.search)))
                    ON CONFLICT (number) DO UPDATE SET words = EXCLUDED.words;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER order_docs_search_insert AFTER INSERT ON order_docs
                    FOR EACH ROW EXECUTE FUNCTION oe_order_search();
                CREATE TRIGGER order_docs_search_update AFTER UPDATE OF search ON order_docs
                    FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search) EXECUTE FUNCTION oe_order_search();
                """)
        case .trgm:
            try pg.exec("""
                CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
                CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                CREATE FUNCTION oe_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                    RETURN public.unaccent('public.unaccent'::regdictionary, lower($1));
                CREATE INDEX order_docs_search ON order_docs USING gin (oe_fold(search) public.gin_trgm_ops);
                """)
        case .fts:
            try pg.exec("""
                CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
                CREATE TEXT SEARCH CONFIGURATION oe_search (COPY = pg_catalog.simple);
                ALTER TEXT SEARCH CONFIGURATION oe_search ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
                    WITH public.unaccent, pg_catalog.simple;
                CREATE INDEX order_docs_search ON order_docs USING gin (to_tsvector('\(schema).oe_search'::regconfig, search));
                """)
        }
    }

    static func type(_ declared: String) -> String {
        if declared.contains("INT") { return "bigint" }
        if declared.contains("CHAR") || declared.contains("CLOB") || declared.contains("TEXT") { return "text" }
        if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") { return "double precision" }
        if declared.contains("BLOB") || declared.isEmpty { return "bytea" }
        return "text"
    }
}
