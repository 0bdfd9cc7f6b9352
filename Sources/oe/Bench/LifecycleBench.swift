import ArgumentParser
import OrderCore
import OrderEngine
import OrderStore
import OrderStorePostgres
import PostgresClient
#if canImport(Glibc)
import Glibc
#endif

/// `oe bench lifecycle`: the Danish lifecycle with the default workflow's hooks (see
/// `LifecycleRun`) in batch mode (group commit) and interactive mode (one transaction per
/// command), each against its floor: the same rows written with raw prepared statements in the
/// same batching. Always on a SQLite file; with `--db postgresql://…` on PostgreSQL too, in
/// the same run, against a floor written with raw libpq; with `--clients N` also N processes
/// on one database.
struct LifecycleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "The Danish order lifecycle with workflow hooks: orders/s, p50/p99 per command, peak RSS, and the raw floor (SQLite; PostgreSQL with --db).",
        discussion: """
            With --db postgresql://… the engine also runs on PostgreSQL (a fresh database per mode, made on that \
            server) against the same rows written with raw libpq prepared statements (schema \(PostgresFloorBench.defaultSchema) \
            of --db's database). With --clients N each backend also runs N `oe` processes on one database. For \
            figures comparable with SQLite's synchronous=FULL use a durable server (scripts/pg-start --durable). \
            The last line is: lifecycle <orders/s> orders/s; floor <orders/s> orders/s; ratio <r> (SQLite, batch mode).
            """)

    @Option(name: .long, help: "Orders in batch mode (with --clients: per client).")
    var orders: Int = 100_000

    @Option(name: .long, help: "Orders in interactive mode, 0 skips it (with --clients: per client).")
    var interactiveOrders: Int = 5_000

    @Option(name: .long, help: "Orders per transaction in batch mode.")
    var batch: Int = 1000

    @Option(name: .long, help: "The workflow whose hooks run (default: the Danish one).")
    var workflow: String = "scripts/workflows/danish.lua"

    @Option(name: .long, help: "Folder for the benchmark's SQLite databases (default: a new temporary folder).")
    var dir: String?

    @Option(name: .long, help: "full or normal.")
    var durability: String = "full"

    @Option(name: .long, help: "A PostgreSQL server (postgresql://user:password@host:port/db?…) to run the lifecycle and its floor on too.")
    var db: String?

    @Option(name: .long, help: "Client processes on one database, per backend and mode (1: none besides the single-process runs).")
    var clients: Int = 1

    @Option(name: .long, help: "PostgreSQL only: engine and floor run this many times in turn per mode; the table shows the medians (the ratio: of the rounds' ratios).")
    var rounds: Int = 1

    @Option(name: .long, help: "The PostgreSQL floor's search index: simple (the store's), trgm, fts or none.")
    var pgSearch: PostgresFloorBench.SearchIndex = .simple

    @Option(name: .long, help: .hidden)
    var clientDb: String?

    @Flag(name: .long, help: .hidden)
    var clientInteractive = false

    @Option(name: .long, help: .hidden)
    var startAt: Int64?

    /// Write transactions per order of the last interactive run (`oe bench pg-floor` replays as many).
    nonisolated(unsafe) static var interactiveTransactionsPerOrder = 0

    func validate() throws {
        guard orders > 0, batch > 0, interactiveOrders >= 0 else { throw ValidationError("--orders and --batch must be positive") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients: 1 to 64") }
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds: 1 to 50") }
        guard Durability(rawValue: durability) != nil else { throw ValidationError("--durability: full or normal") }
        if let db, !StoreOpener.isPostgres(db) { throw ValidationError("--db: not a postgresql:// URL") }
    }

    func run() throws {
        if let clientDb { return try runClient(clientDb) }
        do { try runAll() } catch let e as PostgresError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        } catch let e as OrderError {
            printError(e.description)
            throw ExitCode(e.code.rawValue)
        }
    }

    private var durable: Durability { Durability(rawValue: durability) ?? .full }

    /// One row of the closing table.
    private struct Row {
        var backend: String
        var mode: String
        var engine: Double
        var floor: Double?
        /// Round trips per order of the engine and of the floor (PostgreSQL only).
        var trips: (engine: Double, floor: Double)? = nil
        /// The ratio shown, when it is not engine / floor (the median of several rounds' ratios).
        var ratio: Double? = nil
    }

    /// One round of a PostgreSQL mode: the engine's run and the floor's after it.
    private struct Round {
        var engine: Double
        var floor: Double
        var trips: (engine: Double, floor: Double)

        var ratio: Double { engine / floor }

        /// The medians of `rounds` (not empty): engine, floor, round trips, and the median of
        /// the rounds' own ratios (each of a pair run back to back), with the middle upper one
        /// of an even count.
        static func median(_ rounds: [Round]) -> (engine: Double, floor: Double, trips: (engine: Double, floor: Double), ratio: Double) {
            func mid(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
            return (mid(rounds.map(\.engine)), mid(rounds.map(\.floor)),
                    (mid(rounds.map(\.trips.engine)), mid(rounds.map(\.trips.floor))), mid(rounds.map(\.ratio)))
        }

        /// One line: every round's ratio and their median.
        static func summary(_ label: String, _ rounds: [Round], ratio: (Double) -> String) -> String {
            "\(label), \(rounds.count) rounds: ratios \(rounds.map { ratio($0.ratio) }.joined(separator: ", ")); median \(ratio(median(rounds).ratio))"
        }
    }

    private func runAll() throws {
        let folder = dir ?? BenchSupport.temporaryFolder()
        let full = durable == .full
        print("OrderEngine lifecycle benchmark — \(orders) orders (batch), \(interactiveOrders) (interactive); SQLite files in \(folder); synchronous=\(full ? "FULL" : "NORMAL"); workflow \(workflow)")
        var rows: [Row] = []

        // SQLite: the engine and its raw-SQLite floor.
        let batchDB = folder + "/batch.sqlite"
        let sqliteBatch = try single(batchDB, orders: orders, batched: true, label: "SQLite")
        let floorSeconds = try RawFloor(source: batchDB, target: folder + "/floor-batch.sqlite")
            .run(orders: orders, ordersPerTransaction: batch, synchronousFull: full)
        let floorRate = Double(orders) / floorSeconds
        print("floor (same rows, raw SQLite, \(batch) orders/transaction): \(Int(floorRate)) orders/s (\(fmt(floorSeconds)) s)")
        rows.append(Row(backend: "SQLite", mode: "batch", engine: sqliteBatch.rate, floor: floorRate))
        if interactiveOrders > 0 {
            let path = folder + "/interactive.sqlite"
            let r = try single(path, orders: interactiveOrders, batched: false, label: "SQLite")
            let txPerOrder = transactionsPerOrder(r)
            let s = try RawFloor(source: path, target: folder + "/floor-interactive.sqlite")
                .run(orders: interactiveOrders, ordersPerTransaction: 1, transactionsPerOrder: txPerOrder, synchronousFull: full)
            let f = Double(interactiveOrders) / s
            print("floor (same rows, raw SQLite, \(txPerOrder) transactions/order as the engine): \(Int(f)) orders/s; ratio \(ratio(r.rate / f))")
            rows.append(Row(backend: "SQLite", mode: "interactive", engine: r.rate, floor: f))
        }

        // PostgreSQL: the engine on a fresh database per mode, the floor replaying the same rows.
        var pgBatchLine: String?
        if let db {
            let pg = try PostgresConnection(url: db)
            defer { pg.close() }
            let settings = try ["fsync", "synchronous_commit", "full_page_writes"].map { try "\($0)=\(pg.query("SELECT current_setting($1)", [.text($0)])[0].string(0))" }
            print("PostgreSQL \(pg.serverVersion / 10000).\(pg.serverVersion % 100) at \(pg.redactedURL) (\(settings.joined(separator: ", "))); floor search index \(pgSearch.rawValue)")
            // Engine and floor alternate, round by round: a machine whose disk or CPU speed
            // drifts during the run (as a shared one does) then slows both sides of a round alike.
            let b = try alternating("batch") {
                let r = try withPostgresShop(db) { try single($0, orders: orders, batched: true, label: "PostgreSQL") }
                let (f, ft) = try PostgresFloorBench.replay(batchDB, into: pg, schema: PostgresFloorBench.defaultSchema, search: pgSearch, foreignKeys: true,
                                                            orders: orders, ordersPerTransaction: batch, transactionsPerOrder: nil)
                print("pg floor (same rows, raw libpq, \(batch) orders/transaction): \(Int(f)) orders/s (\(fmt(ft)) round trips/order); ratio \(ratio(r.rate / f))")
                return Round(engine: r.rate, floor: f, trips: (tripsPerOrder(r), ft))
            }
            rows.append(Row(backend: "PostgreSQL", mode: "batch", engine: b.engine, floor: b.floor, trips: b.trips, ratio: b.ratio))
            pgBatchLine = "pg-lifecycle \(Int(b.engine)) orders/s; pg floor \(Int(b.floor)) orders/s; ratio \(ratio(b.ratio))"
            if interactiveOrders > 0 {
                let m = try alternating("interactive") {
                    let ri = try withPostgresShop(db) { try single($0, orders: interactiveOrders, batched: false, label: "PostgreSQL") }
                    let tx = transactionsPerOrder(ri)
                    let (fi, fit) = try PostgresFloorBench.replay(folder + "/interactive.sqlite", into: pg, schema: PostgresFloorBench.defaultSchema,
                                                                  search: pgSearch, foreignKeys: true, orders: interactiveOrders,
                                                                  ordersPerTransaction: 1, transactionsPerOrder: tx)
                    print("pg floor (same rows, raw libpq, \(tx) transactions/order as the engine): \(Int(fi)) orders/s (\(fmt(fit)) round trips/order); ratio \(ratio(ri.rate / fi))")
                    return Round(engine: ri.rate, floor: fi, trips: (tripsPerOrder(ri), fit))
                }
                rows.append(Row(backend: "PostgreSQL", mode: "interactive", engine: m.engine, floor: m.floor, trips: m.trips, ratio: m.ratio))
            }
        }

        // N client processes on one database per backend and mode.
        if clients > 1 {
            var backends: [(String, () throws -> (String, () throws -> Void))] = [("SQLite", {
                let path = folder + "/clients-\(BenchSupport.nowNs()).sqlite"
                return (path, { BenchSupport.removeDatabase(path) })
            })]
            if let db {
                backends.append(("PostgreSQL", {
                    let name = PostgresDatabases.uniqueName(prefix: "oe_bench_")
                    return (try PostgresDatabases.createMigrated(server: db, name: name), { try PostgresDatabases.drop(server: db, name: name) })
                }))
            }
            for (backend, make) in backends {
                for batched in interactiveOrders > 0 ? [true, false] : [true] {
                    let (location, remove) = try make()
                    let perClient = batched ? orders : interactiveOrders
                    let setup = try LifecycleRun.engine(location, workflow: workflow, durability: durable)
                    _ = try setup.call("settings.set", LifecycleRun.seller)
                    setup.close()
                    let r = try LifecycleClients(location: location, clients: clients, ordersPerClient: perClient, batch: batched ? batch : nil,
                                                 workflow: workflow, durability: durability, folder: folder).run()
                    let check = try LifecycleRun.engine(location, workflow: workflow, durability: durable)
                    try LifecycleRun.checkCaptured(check, orders: clients * perClient)
                    check.close()
                    try remove()
                    let mode = batched ? "batch" : "interactive"
                    print("\(backend), \(clients) clients, \(mode): \(Int(r.summedRate)) orders/s summed (\(Int(r.aggregateRate)) orders/s from the common start to the last end); client 0:")
                    print(r.firstReport)
                    rows.append(Row(backend: backend, mode: "\(mode), \(clients) processes", engine: r.summedRate, floor: nil))
                }
            }
        }

        print("peak RSS: \(BenchSupport.peakRSSMiB()) MiB")
        print(table(rows))
        if let pgBatchLine { print(pgBatchLine) }
        print("lifecycle \(Int(sqliteBatch.rate)) orders/s; floor \(Int(floorRate)) orders/s; ratio \(ratio(sqliteBatch.rate / floorRate))")
    }

    /// Runs `oneRound` (the engine, then its floor, of one PostgreSQL mode) `--rounds` times
    /// and returns the medians, printing each round's header and, for several, every ratio.
    private func alternating(_ mode: String, _ oneRound: () throws -> Round)
        throws -> (engine: Double, floor: Double, trips: (engine: Double, floor: Double), ratio: Double) {
        var done: [Round] = []
        for round in 1...rounds {
            if rounds > 1 { print("PostgreSQL \(mode), round \(round) of \(rounds):") }
            done.append(try oneRound())
        }
        if rounds > 1 { print(Round.summary("PostgreSQL \(mode)", done, ratio: ratio)) }
        return Round.median(done)
    }

    /// Runs the lifecycle once in this process on a fresh database at `location` and prints its figures.
    private func single(_ location: String, orders: Int, batched: Bool, label: String) throws -> LifecycleRun.Result {
        if !StoreOpener.isPostgres(location) { BenchSupport.removeDatabase(location) }
        let r = try LifecycleRun(location: location, orders: orders, batch: batched ? batch : nil, workflow: workflow, durability: durable).run()
        var trips = r.roundTrips > 0 ? "; \(fmt(tripsPerOrder(r))) round trips/order" : ""
        trips += "; CPU \(fmt(r.cpuSeconds * 1000 / Double(r.orders))) of \(fmt(r.seconds * 1000 / Double(r.orders))) ms/order"
        print(batched ? "\(label) batch (\(batch) orders/transaction): \(Int(r.rate)) orders/s (\(fmt(r.seconds)) s\(trips))"
                      : "\(label) interactive (one transaction per command): \(Int(r.rate)) orders/s (\(fmt(r.seconds)) s\(trips))")
        print(r.stats.report())
        return r
    }

    /// Round trips to PostgreSQL per order of a run.
    private func tripsPerOrder(_ r: LifecycleRun.Result) -> Double { Double(r.roundTrips) / Double(r.orders) }

    /// Write transactions per order of an interactive run (the floor makes as many).
    private func transactionsPerOrder(_ r: LifecycleRun.Result) -> Int {
        let tx = max(1, Int((Double(r.writes) / Double(r.orders)).rounded()))
        Self.interactiveTransactionsPerOrder = tx
        return tx
    }

    /// Runs `body` on a fresh migrated database on the server of `server`, dropped afterwards.
    private func withPostgresShop<T>(_ server: String, _ body: (String) throws -> T) throws -> T {
        let name = PostgresDatabases.uniqueName(prefix: "oe_bench_")
        let url = try PostgresDatabases.createMigrated(server: server, name: name)
        defer { try? PostgresDatabases.drop(server: server, name: name) }
        return try body(url)
    }

    /// A client process of `--clients`: its share of the lifecycle on the shared database, then
    /// the result line its parent reads and its latencies.
    private func runClient(_ location: String) throws {
        let r = try LifecycleRun(location: location, orders: orders, batch: clientInteractive ? nil : batch,
                                 workflow: workflow, durability: durable, setSeller: false, startAt: startAt).run()
        print("\(LifecycleClients.marker) \(r.orders) \(r.startNs) \(r.endNs)")
        print(r.stats.report())
    }

    /// The closing table: backend, mode, engine, floor, ratio (markdown).
    private func table(_ rows: [Row]) -> String {
        var out = ["| backend | mode | OrderEngine orders/s | floor orders/s | ratio | round trips/order (engine / floor) |",
                   "|---|---|---:|---:|---:|---:|"]
        for r in rows {
            let floor = r.floor.map { "\(Int($0))" } ?? "–"
            let ratio = r.floor.map { self.ratio(r.ratio ?? r.engine / $0) } ?? "–"
            let trips = r.trips.map { "\(fmt($0.engine)) / \(fmt($0.floor))" } ?? "–"
            out.append("| \(r.backend) | \(r.mode) | \(Int(r.engine)) | \(floor) | \(ratio) | \(trips) |")
        }
        return out.joined(separator: "\n")
    }

    private func fmt(_ v: Double) -> String { String(format2: v) }
    /// A ratio with two decimals (0.37, not 0.4).
    private func ratio(_ v: Double) -> String { "\((v * 100).rounded() / 100)" }
}
