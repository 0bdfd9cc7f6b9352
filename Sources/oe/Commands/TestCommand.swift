import ArgumentParser
import OrderCore
import OrderEngine
import OrderScript
import OrderStorePostgres
#if canImport(Glibc)
import Glibc
#endif

/// `oe test [PATHS]`: runs workflow tests (`*_test.lua`), each test in a fresh in-memory engine.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run workflow tests (*_test.lua files), each test in a fresh in-memory engine.",
        discussion: """
            Each test runs against a new in-memory engine with the simulated gateway and carrier and
            a clock that starts at 2026-11-23T08:00:00Z and moves only with oe.clock.advance{…}.
            Loaded first: the workflow beside the test file (danish.lua for danish_test.lua), then any
            --workflow. The last line is `N passed, N failed`; the exit status is 1 if any failed.
            With --postgres URL each test runs on a new, migrated schema of its own on that
            PostgreSQL server instead (the same tests on the PostgreSQL store; the schemas stay).
            """)

    @Argument(help: "Test files or folders to search for *_test.lua (default: the current folder).")
    var paths: [String] = []

    @Option(name: .long, help: "A workflow to load before each test (repeatable).")
    var workflow: [String] = []

    @Flag(name: .long, help: "Show each hook's oe.log output.")
    var verbose = false

    @Option(name: .long, help: "A PostgreSQL server (postgresql://…): each test on a new schema there, not in memory.")
    var postgres: String?

    func run() throws {
        let files = TestFinder.find(paths.isEmpty ? ["."] : paths)
        if files.isEmpty {
            printError("oe test: no *_test.lua files in \(paths.isEmpty ? "." : paths.joined(separator: " "))")
            throw ExitCode(1)
        }
        var passed = 0, failed = 0
        for file in files {
            print(file)
            let names: [String]
            do {
                names = try TestSession(file: file, workflows: workflow, verbose: verbose, postgres: postgres).names()
            } catch {
                print("  FAIL (loading) \(Self.indent(error.message))")
                failed += 1
                continue
            }
            for (k, name) in names.enumerated() {
                do {
                    try TestSession(file: file, workflows: workflow, verbose: verbose, postgres: postgres).run(index: k + 1)
                    print("  ok   \(name)")
                    passed += 1
                } catch {
                    print("  FAIL \(name)\n       \(Self.indent(Self.trim(error.message)))")
                    failed += 1
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    static func indent(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n       ") }

    /// Keeps the message and the traceback lines that point into user files.
    static func trim(_ s: String) -> String { LuaTraceback.userFrames(s) }
}

/// One test run: a fresh engine with the test's workflows and the test file loaded.
struct TestSession {
    let host: LuaHost
    let engine: Engine

    /// `postgres`: the server to create the test's own schema on; nil: an in-memory SQLite shop.
    init(file: String, workflows: [String], verbose: Bool, postgres: String? = nil) throws(OrderError) {
        let clock = ManualClock(Timestamp(year: 2026, month: 11, day: 23, hour: 8))
        var config = EngineConfiguration.simulated(clock: clock, defaultActor: "test")
        let sink: @Sendable (String) -> Void = verbose ? { @Sendable line in print("       log: \(line)") } : { @Sendable _ in }
        config.scriptHost = LuaHost.factory(logSink: sink)
        engine = try Engine(path: TestSession.database(postgres), configuration: config)
        guard let host = engine.luaHost else { throw OrderError(.misuse, "no Lua host") }
        self.host = host
        try host.enableTestMode(clock: clock)
        var load = workflows
        let sibling = String(file.dropLast("_test.lua".count)) + ".lua"
        if FileReader.isFile(sibling) { load.insert(sibling, at: 0) }
        for w in load { try host.loadWorkflow(path: w) }
        try host.loadWorkflow(path: file)
    }

    private static func database(_ server: String?) throws(OrderError) -> String {
        guard let server else { return ":memory:" }
        do {
            return try PostgresDatabases.createMigratedSchema(server: server, name: PostgresDatabases.uniqueName(prefix: "oe_lua_test_"))
        } catch {
            throw OrderError(.storage, "oe test --postgres: cannot create a test schema: \(error)")
        }
    }

    func names() throws(OrderError) -> [String] {
        (try host.eval("return __test_names()").arrayValue ?? []).compactMap(\.stringValue)
    }

    func run(index: Int) throws(OrderError) {
        try host.eval("return __run_test(\(index))", chunkname: "=test")
    }
}

/// Finds `*_test.lua` files under the given paths, sorted.
enum TestFinder {
    static func find(_ paths: [String]) -> [String] {
        var out: [String] = []
        for p in paths {
            if FileReader.isDirectory(p) { walk(p, &out) } else if p.hasSuffix(".lua") { out.append(p) }
        }
        return out.sorted()
    }

    private static func walk(_ dir: String, _ out: inout [String]) {
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name == "." || name == ".." || name.hasPrefix(".") { continue }
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if FileReader.isDirectory(path) { walk(path, &out) } else if name.hasSuffix("_test.lua") { out.append(path) }
        }
    }
}
