import ArgumentParser
import OrderCore
import OrderStore
import OrderStorePostgres
import PostgresClient

/// `oe store`: moving a shop between stores.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a shop between stores (SQLite file → PostgreSQL).",
        subcommands: [StoreCopyCommand.self])
}

/// `oe store copy --from shop.sqlite --to postgresql://…`: copies every table, verifies it.
struct StoreCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a shop's SQLite database into an empty PostgreSQL database and verify every table.",
        discussion: """
            Example: oe store copy --from shop.sqlite --to postgresql://oe@db.example.dk/shop
            The target is migrated, must hold no shop, and is written in one transaction. Each
            table's row count, integer sums and text lengths are compared in both databases
            before the commit; any difference writes nothing. Prints one line per table.
            Stop the engine that writes the source first (the copy reads one snapshot).
            """)

    @Option(name: .long, help: "The shop's SQLite database file.")
    var from: String

    @Option(name: .long, help: "The empty PostgreSQL database, as a postgresql:// URL.")
    var to: String

    func run() throws {
        do {
            if PostgresStore.isURL(from) {
                throw OrderError(.invalid, "from: \(PostgresStore.withoutPassword(from)) is a PostgreSQL URL; --from takes the shop's SQLite file (a copy between PostgreSQL databases is pg_dump's job)", field: "from")
            }
            guard PostgresStore.isURL(to) else {
                throw OrderError(.invalid, "to: '\(ConnectionURL.redacted(to))' is not a postgresql:// URL", field: "to")
            }
            let source = try SQLiteCopySource(path: from)
            let target = try PostgresConnection(url: to)
            defer { target.close() }
            let reports = try source.snapshot { try StoreCopy().copy(from: source, to: target) }
            for r in reports {
                print("\(r.table + String(repeating: " ", count: max(0, 14 - r.table.count))) \(r.rows) rows  checksum \(r.checksum.joined(separator: " ")) equal")
            }
            print("copied \(reports.count) tables to \(target.redactedURL)")
        } catch let e as PostgresError {
            printError(e.orderError.description)  // `error[storage]: postgresql […]: …`, as every other command
            throw ExitCode(e.code.rawValue)
        } catch let e as OrderError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        }
    }
}

/// An OrderEngine SQLite database read through SQLite's C API, in one read transaction.
final class SQLiteCopySource: StoreCopySource {
    let db: RawFloor.Connection

    init(path: String) throws {
        do {
            db = try RawFloor.Connection(path, readOnly: true)
            let (_, r) = try db.query("PRAGMA application_id")
            guard r.first?.first == .int(0x4F45_6E67) else {
                throw OrderError(.invalid, "from: \(path) is not an OrderEngine database", field: "from")
            }
            // The copy maps this build's tables column for column: the source must have exactly
            // this build's migrations (an older one is migrated by opening it once with `oe`).
            let recorded = try db.query("SELECT identifier FROM grdb_migrations").1.compactMap { SQLiteCopySource.text($0[0]) }
            if let newer = OrderStore.unknownMigration(in: recorded) {
                throw OrderError(.misuse, "from: \(path) has migration '\(newer)', which this engine does not know: it was written by a newer engine; copy it with that engine", field: "from")
            }
            if let missing = OrderStore.migrations.first(where: { !recorded.contains($0) }) {
                throw OrderError(.invalid, "from: \(path) lacks migration '\(missing)': it was written by an older engine; open it once with this one (e.g. oe call order.count --db \(path)) and copy again", field: "from")
            }
        } catch let e as RawFloor.Failure {
            throw OrderError(.invalid, "from: \(e.description)", field: "from")
        }
    }

    /// Runs `body` inside one read transaction, so every table is read from one snapshot.
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        try wrap { try db.exec("BEGIN") }
        defer { try? db.exec("COMMIT") }
        return try body()
    }

    func tables() throws -> [String] {
        try wrap {
            try db.query("""
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'orders_fts%' ORDER BY name
                """).1.compactMap { SQLiteCopySource.text($0[0]) }
        }
    }

    func columns(_ table: String) throws -> [String] {
        try wrap { try db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)]).1.compactMap { SQLiteCopySource.text($0[0]) } }
    }

    func rows(_ table: String, columns: [String], orderBy: String) throws -> [[PostgresValue]] {
        try wrap { try db.query("SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(orderBy)").1.map { $0.map(PostgresTarget.value) } }
    }

    func aggregates(_ sql: String) throws -> [String] {
        try wrap {
            try db.query(sql).1[0].map { v in
                switch v {
                case .null: "null"
                case .int(let i): String(i)
                case .real(let d): String(d)
                case .text(let s): s
                case .blob(let b): "\(b.count) bytes"
                }
            }
        }
    }

    /// The text of a value, nil for any other kind.
    static func text(_ v: RawFloor.Value) -> String? {
        if case .text(let s) = v { return s }
        return nil
    }

    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as RawFloor.Failure { throw OrderError(.storage, "from: \(e.description)", field: "from") }
    }
}
