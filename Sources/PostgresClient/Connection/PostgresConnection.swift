import CPostgres
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One synchronous connection to a PostgreSQL server through libpq: statements with bound
/// parameters (prepared once per connection and cached by their text), transactions and
/// savepoints, errors that carry the server's SQLSTATE. No event loop, no `LISTEN`: every
/// call blocks the calling thread until the server answered.
///
/// ```swift
/// let db = try PostgresConnection(url: "postgresql://oe@127.0.0.1:5432/shop?sslmode=require")
/// let next = try db.retryingTransaction {
///     try db.query("UPDATE number_series SET next = next + 1 WHERE series = $1 RETURNING next - 1", ["order"])[0].int(0)
/// }
/// ```
///
/// **The URL** is libpq's (`postgresql://user:password@host:port/db?param=value&…`); every
/// libpq parameter passes through, among them the TLS ones (`sslmode`, `sslrootcert`,
/// `sslcert`, `sslkey`, `sslcrl`), `connect_timeout` (default here 10 s) and `options`
/// (`options=-c%20statement_timeout%3D5s`). The password never appears in an error message.
///
/// **Threads:** a connection is used by one thread at a time; it is not `Sendable`. Give each
/// thread (or each engine handle's writer) its own connection. Separate connections may be
/// used on separate threads at once: libpq is built thread-safe (checked when connecting).
///
/// **Connection loss:** a statement whose connection broke (server restarted, backend
/// terminated, network down) throws a ``PostgresError`` with ``PostgresError/isConnectionLoss``;
/// whatever transaction was open rolled back on the server. The next call outside a
/// transaction connects again (with an empty statement cache), and so does a transaction's
/// first round trip (its BEGIN goes out with it: a session the server ended while idle costs
/// nothing). Once a transaction has reached the server, every further statement throws the
/// same loss until the transaction's body returns: the connection never reconnects in the
/// middle of a transaction, so no statement of a lost transaction runs outside it. A loss while `COMMIT` is in flight leaves the outcome unknown
/// (the server may or may not have committed); the error says so.
public final class PostgresConnection {
    /// The URL as given (it may hold a password: not for messages; see ``redactedURL``).
    private let url: String
    private var handle: OpaquePointer?
    /// The names of the statements prepared on this connection, by parameter types and text.
    private var preparedNames: [StatementKey: String] = [:]
    private var statementCounter = 0
    /// Open transaction levels: 0 outside a transaction, 1 in one, +1 per savepoint.
    var depth = 0
    /// Statements whose results are not needed (BEGIN, SET LOCAL, SAVEPOINT, RELEASE, ROLLBACK
    /// TO, append-only inserts) queued to go out with the next statement, in the same round trip
    /// (see ``enqueue(_:)``).
    var pending: [Pending] = []
    /// The statement sent right before the open transaction's COMMIT (``guardCommit(_:_:)``).
    var commitGuard: (String, EncodedParameters)?
    /// True while the open transaction's BEGIN is still in ``pending``: nothing of it reached
    /// the server yet (a lost connection may still be replaced, an empty commit sends nothing).
    var beginPending = false
    /// How often ``pending`` was sent, so a savepoint can tell whether anything ran inside it.
    var flushes = 0
    /// How many times the queued statements were sent so far: while unchanged, a statement
    /// queued by ``enqueue(_:_:)`` has not gone out yet.
    public var sendCount: Int { flushes }
    /// Savepoints opened on this connection so far (each gets a name of its own).
    var savepointCounter = 0
    /// Round trips of every connection of the process (see ``roundTrips``).
    private static let trips = Atomic<Int>(0)

    /// At most this many statements stay prepared per connection; one more deallocates them all
    /// (statements whose text varies, like `IN` lists of varying length, would otherwise
    /// accumulate on the server).
    public static let statementCacheLimit = 512

    /// How many times this connection has connected again after losing its server.
    public private(set) var reconnects = 0

    /// Round trips to a server made so far by all connections of this process (each statement
    /// outside a pipeline, each pipeline of queued and batched statements, each prepare outside
    /// one): what `oe bench lifecycle` divides by the orders it made. Relaxed; cheap to read.
    public static var roundTrips: Int { trips.load(ordering: .relaxed) }

    /// Round trips this connection made so far (as ``roundTrips`` counts them).
    public private(set) var roundTripCount = 0

    /// Counts one round trip.
    func countTrip() {
        roundTripCount += 1
        PostgresConnection.trips.add(1, ordering: .relaxed)
    }

    /// Connects to the server `url` names (`postgresql://…` or `postgres://…`).
    /// Throws a ``PostgresError`` of kind `connectionFailed` (server unreachable, refused,
    /// authentication failed, database missing), or `misuse` for a URL of another scheme.
    public init(url: String) throws {
        guard ConnectionURL.isPostgres(url) else {
            throw PostgresError(.misuse, "not a PostgreSQL URL (postgresql://…): \(PostgresConnection.redact(url))")
        }
        guard PQisthreadsafe() == 1 else { throw PostgresError(.misuse, "this libpq is not built thread-safe") }
        try ConnectionURL.check(url)
        self.url = ConnectionURL.normalized(url)
        try connect()
    }

    deinit { if let handle { PQfinish(handle) } }

    /// Closes the connection. A later call connects again.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        preparedNames = [:]
        depth = 0
        pending = []
        beginPending = false
    }

    /// The URL without its password, for messages and logs.
    public var redactedURL: String { PostgresConnection.redact(url) }

    /// True while the connection is established, as far as libpq knows (a server-side end is
    /// noticed at the next statement).
    public var isConnected: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The libpq connection, nil when closed (for this module's extensions).
    var rawHandle: OpaquePointer? { handle }

    /// True inside ``transaction(_:_:)``.
    public var inTransaction: Bool { depth > 0 }

    /// The server's version as an integer (`150018` for 15.18); 0 when not connected.
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// The process id of the server backend serving this connection (for `pg_terminate_backend`,
    /// `pg_locks`); 0 when not connected.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    // MARK: - Statements

    /// Runs `sql` through the simple query protocol: no parameters, several statements allowed
    /// (`CREATE …; CREATE …`), results discarded. For DDL and session settings. Statements
    /// queued by ``enqueue(_:)`` go first (in the same round trip when they have no parameters).
    public func exec(_ sql: String) throws {
        try replacingADeadConnection { c in
            if pending.contains(where: \.hasParameters) { _ = try send([], then: nil, c) }
            let text = pending.isEmpty ? sql : (pending.compactMap(\.text) + [sql]).joined(separator: "; ")
            sent()
            countTrip()
            _ = try check(PQexec(c, text), c)
        }
    }

    /// Queues `sql`, one statement without parameters or rows (`SET LOCAL …`, `SAVEPOINT …`),
    /// to be sent with the next statement in the same round trip; its error, if any, is thrown
    /// by that statement. Only inside a ``transaction(_:_:)``: misuse outside one.
    public func enqueue(_ sql: String) throws {
        guard depth > 0 else { throw PostgresError(.misuse, "enqueue: no transaction is open on this connection") }
        pending.append(.simple(sql))
    }

    /// Queues one statement with `parameters` whose result the caller does not need (an
    /// append-only INSERT), to be sent with the next statement or the commit, in the same
    /// round trip (prepared like ``query(_:_:)``). Bad values are refused now; a failure on the
    /// server is thrown by the statement it goes out with (or the commit) and leaves the
    /// transaction aborted until a savepoint opened before it rolls back. Only for statements
    /// that fail only when the transaction is failing anyway (a row whose keys and constraints
    /// the caller has checked); only inside a ``transaction(_:_:)``: misuse outside one.
    public func enqueue(_ sql: String, _ parameters: [PostgresValue]) throws {
        guard depth > 0 else { throw PostgresError(.misuse, "enqueue: no transaction is open on this connection") }
        pending.append(.statement(sql, try EncodedParameters(parameters)))
    }

    /// Queues one statement with `parameters` whose result `verify` checks when it arrives: it
    /// goes out with the next statement (in the same round trip), and when `verify` returns an
    /// error, that round trip throws it (after every result of it was read). The commit never
    /// goes out with an unchecked one: a transaction whose queue still holds one at its end
    /// sends the queue first and commits only when `verify` passed. For checks that almost
    /// always pass and need not cost a round trip of their own (a cached configuration that is
    /// still current). Only inside a ``transaction(_:_:)``: misuse outside one.
    public func enqueue(_ sql: String, _ parameters: [PostgresValue], verify: @escaping (PostgresResult) -> (any Error)?) throws {
        guard depth > 0 else { throw PostgresError(.misuse, "enqueue: no transaction is open on this connection") }
        pending.append(.verified(sql, try EncodedParameters(parameters), verify))
    }

    /// True while a statement queued with ``enqueue(_:_:verify:)`` has not been sent.
    var verificationPending: Bool { pending.contains { if case .verified = $0 { true } else { false } } }

    /// Notes that ``pending`` is on its way (the caller sends it now).
    private func sent() {
        pending = []
        beginPending = false
        flushes += 1
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, … (see ``PostgresValue`` for how
    /// each is sent) and returns its result. The statement is prepared on this connection the
    /// first time its text is run with these parameter types, and reused after: bind values,
    /// never write them into the text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        try queries([(sql, parameters)])[0]
    }

    /// Runs `statements` as ``query(_:_:)`` does, one after another, in one round trip (libpq's
    /// pipeline mode; with the statements ``enqueue(_:)`` queued first) and returns their
    /// results in order. Each statement sees what the ones before it did, as if run one by one;
    /// when one fails, the ones after it do not run and its error is thrown. Outside a
    /// transaction they run in one implicit transaction (all or nothing). For reads that belong
    /// together (an order and its ledgers) and for writes whose results are not needed in between.
    public func queries(_ statements: [(String, [PostgresValue])]) throws -> [PostgresResult] {
        let encoded = try statements.map { ($0.0, try EncodedParameters($0.1)) }  // refuses bad values before anything is sent
        return try replacingADeadConnection { c in try send(encoded, then: nil, c).results }
    }

    /// Runs `body` (one flush of the queued statements with more) on the live connection. When
    /// this is the open transaction's **first flush** (its BEGIN is in it: nothing of the
    /// transaction reached the server before) and the connection turns out dead — the server
    /// ended an idle session on a restart, a failover, an idle timeout or an administrator's
    /// `pg_terminate_backend` — connects again and runs `body` once more: nothing can be lost
    /// or done twice, as no COMMIT goes out here. A connection lost later in a transaction is
    /// never replaced (see the type's notes).
    private func replacingADeadConnection<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let c = try live()
        let firstFlush = depth > 0 && beginPending
        let queued = pending
        do {
            return try body(c)
        } catch let e as PostgresError where e.isConnectionLoss && firstFlush {
            dropDeadConnection()
            pending = queued
            beginPending = true
            try connect()
            return try body(handle!)
        }
    }

    /// Sends what is queued, then `statements`, then `tail` (one statement without parameters,
    /// e.g. COMMIT) in one round trip; returns the results of `statements` and of `tail`. The
    /// first failure is thrown (the steps after it did not run).
    func send(_ statements: [(String, EncodedParameters)], then tail: String?, _ c: OpaquePointer) throws
        -> (results: [PostgresResult], tail: PostgresResult?) {
        let items = pending + statements.map { Pending.statement($0.0, $0.1) } + (tail.map { [Pending.simple($0)] } ?? [])
        sent()
        let statementCount = items.reduce(0) { $0 + ($1.hasParameters ? 1 : 0) }
        var steps: [PipelineStep] = []
        if preparedNames.count + statementCount > PostgresConnection.statementCacheLimit {
            steps.append(.simple("DEALLOCATE ALL"))
            preparedNames = [:]
        }
        var prepared: [(StatementKey, String)] = []
        /// The steps whose results a queued check verifies.
        var verifications: [(step: Int, verify: Pending.Verify)] = []
        /// Which step's result is returned: the executions of `statements`, and the tail.
        var wanted: [Int] = []
        let firstReturned = items.count - statements.count - (tail == nil ? 0 : 1)
        for (i, item) in items.enumerated() {
            switch item {
            case .simple(let sql):
                steps.append(.simple(sql))
            case .statement(let sql, let p), .verified(let sql, let p, _):
                let key = StatementKey(types: p.types, sql: sql)
                var name = preparedNames[key] ?? prepared.first(where: { $0.0 == key })?.1
                if name == nil {
                    statementCounter += 1
                    name = "oe_\(statementCounter)"
                    steps.append(.prepare(name: name!, sql: sql, types: p.types))
                    prepared.append((key, name!))
                }
                steps.append(.execute(name: name!, p))
                if case .verified(_, _, let verify) = item { verifications.append((steps.count - 1, verify)) }
            }
            if i >= firstReturned { wanted.append(steps.count - 1) }
        }
        // One statement already prepared and nothing queued: the plain call, no pipeline.
        if steps.count == 1, verifications.isEmpty, case .execute(let name, let p) = steps[0] {
            countTrip()
            return ([try check(p.withArrays { values, lengths, formats, _ in
                PQexecPrepared(c, name, Int32(p.types.count), values, lengths, formats, 0)
            }, c)], nil)
        }
        let raw = try pipeline(steps, c)
        var results: [Int: PostgresResult] = [:]
        var failure: (any Error)?
        var preparedOK = Set<String>()
        for (i, (step, r)) in zip(steps, raw).enumerated() {
            do {
                let result = try check(r, c)
                if case .prepare(let name, _, _) = step { preparedOK.insert(name) }
                results[i] = result
            } catch {
                if failure == nil { failure = error }
            }
        }
        for (key, name) in prepared where preparedOK.contains(name) { preparedNames[key] = name }
        if let failure { throw failure }
        for (step, verify) in verifications {
            if let error = verify(results[step]!) { throw error }
        }
        var out = wanted.map { results[$0]! }
        let last = tail == nil ? nil : out.removeLast()
        return (out, last)
    }

    /// Runs one statement with parameters without preparing it (one round trip more per call
    /// than a cached ``query(_:_:)``; nothing stays on the server). For statements run once.
    @discardableResult
    public func queryOnce(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        let p = try EncodedParameters(parameters)
        return try replacingADeadConnection { c in
            if !pending.isEmpty { _ = try send([], then: nil, c) }
            countTrip()
            return try check(p.withArrays { values, lengths, formats, types in
                PQexecParams(c, sql, Int32(p.types.count), types, values, lengths, formats, 0)
            }, c)
        }
    }

    // MARK: - Queued statements

    /// A statement queued to go out with the next one.
    enum Pending {
        /// One statement without parameters.
        case simple(String)
        /// A statement with its parameters, prepared like ``query(_:_:)``'s.
        case statement(String, EncodedParameters)
        /// A statement with its parameters whose result is checked when it arrives.
        case verified(String, EncodedParameters, Verify)

        /// A check of a queued statement's result: nil when it passes, else the error to throw.
        typealias Verify = (PostgresResult) -> (any Error)?

        var hasParameters: Bool {
            switch self {
            case .simple: false
            case .statement, .verified: true
            }
        }
        /// The text of a statement without parameters.
        var text: String? { if case .simple(let s) = self { s } else { nil } }
    }

    // MARK: - Pipelines

    /// One message group of a pipeline.
    enum PipelineStep {
        /// A statement without parameters, sent with the extended protocol (one statement only).
        case simple(String)
        /// Prepares `sql` as `name`.
        case prepare(name: String, sql: String, types: [UInt32])
        /// Runs the prepared statement `name`.
        case execute(name: String, EncodedParameters)
    }

    /// Sends `steps` in one pipeline with one sync, and returns each step's first result (nil
    /// when none came: the connection broke). Results beyond the first of a step are freed.
    private func pipeline(_ steps: [PipelineStep], _ c: OpaquePointer) throws -> [OpaquePointer?] {
        guard PQenterPipelineMode(c) == 1 else {
            throw PostgresError(PQstatus(c) == CONNECTION_BAD ? .connectionLost : .server, PostgresConnection.text(PQerrorMessage(c)))
        }
        defer { PQexitPipelineMode(c) }
        countTrip()
        var queued = 0
        for step in steps {
            let ok: Int32
            switch step {
            case .simple(let sql):
                ok = PQsendQueryParams(c, sql, 0, nil, nil, nil, nil, 0)
            case .prepare(let name, let sql, let types):
                ok = types.withUnsafeBufferPointer { PQsendPrepare(c, name, sql, Int32(types.count), $0.baseAddress) }
            case .execute(let name, let p):
                ok = p.withArrays { values, lengths, formats, _ in
                    PQsendQueryPrepared(c, name, Int32(p.types.count), values, lengths, formats, 0)
                }
            }
            if ok != 1 { break }
            queued += 1
        }
        _ = PQpipelineSync(c)
        var results: [OpaquePointer?] = []
        for _ in 0..<queued {
            var first: OpaquePointer?
            while let r = PQgetResult(c) {
                if first == nil { first = r } else { PQclear(r) }
            }
            results.append(first)
            if first == nil && PQstatus(c) == CONNECTION_BAD { break }
        }
        // The sync's own result ends the pipeline.
        while PQstatus(c) != CONNECTION_BAD, let r = PQgetResult(c) {
            let status = PQresultStatus(r)
            PQclear(r)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        while results.count < steps.count { results.append(nil) }
        return results
    }

    // MARK: - Connecting

    private func connect() throws {
        // Defaults first: a URL's own parameters override them (libpq expands `dbname`).
        let keys = ["connect_timeout", "client_encoding", "application_name", "dbname"]
        let values = ["10", "UTF8", "orderengine", url]
        let c: OpaquePointer? = withCStrings(keys) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let c else { throw PostgresError(.connectionFailed, "out of memory connecting to \(redactedURL)") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = ConnectionURL.scrub(PostgresConnection.text(PQerrorMessage(c)), url: url)
            PQfinish(c)
            // A bad parameter of the URL is the caller's input (`invalid`), not the server's state.
            throw PostgresError(PostgresConnection.isBadParameter(message) ? .value : .connectionFailed,
                                "cannot connect to \(redactedURL): \(message)")
        }
        // libpq prints notices (e.g. "there is no transaction in progress") to stderr by default.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        handle = c
    }

    /// True when libpq's or the server's refusal to connect is about a parameter of the URL:
    /// libpq's own checks (`invalid sslmode value: "bogus"`, `invalid port number: "99999"`,
    /// `invalid integer value "abc" for connection option "connect_timeout"`) and the server's
    /// refusal of an `options=-c …` setting (`invalid value for parameter …`, `unrecognized
    /// configuration parameter …`). Matched on libpq's message text, as libpq reports these
    /// with no code of their own.
    static func isBadParameter(_ message: String) -> Bool {
        message.hasPrefix("invalid ") || message.contains("for connection option")
            || message.contains("FATAL:  invalid value for parameter") || message.contains("FATAL:  unrecognized configuration parameter")
    }

    /// The connection, connected again first when it was lost and no transaction is open.
    func live() throws -> OpaquePointer {
        if let c = handle, PQstatus(c) == CONNECTION_OK { return c }
        if depth > 0 && !beginPending {
            throw PostgresError(.connectionLost, "the connection to \(redactedURL) was lost inside a transaction, which rolled back")
        }
        dropDeadConnection()
        try connect()
        return handle!
    }

    /// Closes a connection found dead (its prepared statements went with it), to connect again.
    private func dropDeadConnection() {
        guard let c = handle else { return }
        PQfinish(c)
        handle = nil
        preparedNames = [:]
        reconnects += 1
    }

    private struct StatementKey: Hashable {
        var types: [UInt32]
        var sql: String
    }

    /// The result `r`, or the error it (or the connection) reports. Frees `r` on failure.
    func check(_ r: OpaquePointer?, _ c: OpaquePointer) throws -> PostgresResult {
        guard let r else {
            let lost = PQstatus(c) == CONNECTION_BAD
            throw PostgresError(lost ? .connectionLost : .server, PostgresConnection.text(PQerrorMessage(c)))
        }
        let status = PQresultStatus(r)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
            return PostgresResult(r)
        }
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            // The connection is now in the middle of a copy; give it up rather than drain it.
            PQclear(r)
            PQfinish(c)
            handle = nil
            preparedNames = [:]
            throw PostgresError(.misuse, "COPY is not supported by this client; the connection was closed")
        }
        func field(_ code: Character) -> String? {
            PQresultErrorField(r, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let sqlState = field("C")
        let message = field("M") ?? PostgresConnection.text(PQresultErrorMessage(r))
        let error = PostgresError(PQstatus(c) == CONNECTION_BAD || PostgresError.endsSession(sqlState) ? .connectionLost : .server,
                                  message, sqlState: sqlState, detail: field("D"), constraint: field("n"))
        PQclear(r)
        throw error
    }

    // MARK: - Helpers

    /// libpq's message without its trailing newline.
    static func text(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "unknown error" }
        var s = String(cString: p)
        while s.last == "\n" { s.removeLast() }
        return s
    }

    /// `url` with the password of its user-info part (and any `password=` parameter) replaced by `***`.
    static func redact(_ url: String) -> String { ConnectionURL.redacted(url) }
}

/// Calls `body` with a NULL-terminated array of C strings copied from `strings`.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
