import ArgumentParser
import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#endif

/// `oe bench lifecycle --clients N`: N `oe` processes (this executable, re-run in client mode)
/// on one database, each running its share of the lifecycle, started together (each waits
/// for the same CLOCK_MONOTONIC instant after opening its engine). Their throughput is
/// summed; the aggregate is all orders over the time from the common start to the last
/// client's end.
struct LifecycleClients {
    let location: String
    let clients: Int
    let ordersPerClient: Int
    /// Orders per transaction; nil for interactive mode.
    let batch: Int?
    let workflow: String
    let durability: String
    /// Where each client's output goes (client-<i>.out).
    let folder: String

    /// What the clients measured together.
    struct Result {
        /// The sum of the clients' own orders/s.
        var summedRate: Double
        /// All orders over common start → last end.
        var aggregateRate: Double
        /// Client 0's p50/p99 report.
        var firstReport: String
    }

    /// The line a client prints for its parent: `client-result <orders> <start ns> <end ns>`.
    static let marker = "client-result"

    func run() throws -> Result {
        let startAt = BenchSupport.nowNs() + 3_000_000_000  // every client has opened its engine by then
        var pids: [pid_t] = []
        for i in 0..<clients {
            var args = ["oe", "bench", "lifecycle", "--client-db", location, "--orders", "\(ordersPerClient)",
                        "--workflow", workflow, "--durability", durability, "--start-at", "\(startAt)"]
            args += batch.map { ["--batch", "\($0)"] } ?? ["--client-interactive"]
            pids.append(try spawn(args, stdout: folder + "/client-\(i).out"))
        }
        var failed: [String] = []
        for (i, pid) in pids.enumerated() {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if status != 0 { failed.append("client \(i) exited with status \(status) (see \(folder)/client-\(i).out)") }
        }
        guard failed.isEmpty else { throw ValidationError(failed.joined(separator: "; ")) }
        var summed = 0.0
        var lastEnd = startAt
        var firstReport = ""
        for i in 0..<clients {
            let out = String(decoding: try LocalFile.read(folder + "/client-\(i).out", field: "client output"), as: UTF8.self)
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix(LifecycleClients.marker) }) else {
                throw ValidationError("client \(i) printed no result (see \(folder)/client-\(i).out)")
            }
            let f = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
            guard f.count == 3, f[2] > f[1] else { throw ValidationError("client \(i): unreadable result line: \(line)") }
            summed += Double(f[0]) / (Double(f[2] - f[1]) / 1e9)
            lastEnd = max(lastEnd, f[2])
            if i == 0 { firstReport = out.split(separator: "\n").filter { !$0.hasPrefix(LifecycleClients.marker) }.joined(separator: "\n") }
        }
        let aggregate = Double(clients * ordersPerClient) / (Double(lastEnd - startAt) / 1e9)
        return Result(summedRate: summed, aggregateRate: aggregate, firstReport: firstReport)
    }

    /// Starts this executable with `args` (args[0] is its name), stdout into `path`.
    private func spawn(_ args: [String], stdout path: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/proc/self/exe", &actions, nil, &cargs, environ)
        guard rc == 0 else { throw ValidationError("cannot start a client process: \(String(cString: strerror(rc)))") }
        return pid
    }
}
