import CPostgres
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
/// transaction connects again (with an empty statement cache). Inside a ``transaction(_:_:)``
/// every further statement throws the same loss until the transaction's body returns: the
/// connection never reconnects in the middle of a transaction, so no statement of a lost
/// transaction runs outside it. A loss while `COMMIT` is in flight leaves the outcome unknown
/// (the server may or may not have committed); the error says so.
public final class PostgresConnection {
    /// The URL as given (it may hold a password: not for messages; see ``redactedURL``).
    private let url: String
    private var handle: OpaquePointer?
    /// Prepared statements by parameter types and text.
    private var statements: [StatementKey: String] = [:]
    private var statementCounter = 0
    /// Open transaction levels: 0 outside a transaction, 1 in one, +1 per savepoint.
    var depth = 0

    /// At most this many statements stay prepared per connection; one more deallocates them all
    /// (statements whose text varies, like `IN` lists of varying length, would otherwise
    /// accumulate on the server).
    public static let statementCacheLimit = 512

    /// How many times this connection has connected again after losing its server.
    public private(set) var reconnects = 0

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
        statements = [:]
        depth = 0
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
    /// (`CREATE …; CREATE …`), results discarded. For DDL and session settings.
    public func exec(_ sql: String) throws {
        let c = try live()
        _ = try check(PQexec(c, sql), c)
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, … (see ``PostgresValue`` for how
    /// each is sent) and returns its result. The statement is prepared on this connection the
    /// first time its text is run with these parameter types, and reused after: bind values,
    /// never write them into the text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        let p = try EncodedParameters(parameters)  // refuses bad values before anything is sent
        let c = try live()
        let name = try prepared(sql, p.types, c)
        return try check(p.withArrays { values, lengths, formats, _ in
            PQexecPrepared(c, name, Int32(p.types.count), values, lengths, formats, 0)
        }, c)
    }

    /// Runs one statement with parameters without preparing it (one round trip more per call
    /// than a cached ``query(_:_:)``; nothing stays on the server). For statements run once.
    @discardableResult
    public func queryOnce(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        let p = try EncodedParameters(parameters)
        let c = try live()
        return try check(p.withArrays { values, lengths, formats, types in
            PQexecParams(c, sql, Int32(p.types.count), types, values, lengths, formats, 0)
        }, c)
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
            throw PostgresError(.connectionFailed, "cannot connect to \(redactedURL): \(message)")
        }
        // libpq prints notices (e.g. "there is no transaction in progress") to stderr by default.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        handle = c
    }

    /// The connection, connected again first when it was lost and no transaction is open.
    private func live() throws -> OpaquePointer {
        if let c = handle, PQstatus(c) == CONNECTION_OK { return c }
        if depth > 0 {
            throw PostgresError(.connectionLost, "the connection to \(redactedURL) was lost inside a transaction, which rolled back")
        }
        if let c = handle {
            PQfinish(c)
            handle = nil
            statements = [:]
            reconnects += 1
        }
        try connect()
        return handle!
    }

    private struct StatementKey: Hashable {
        var types: [UInt32]
        var sql: String
    }

    /// The name of `sql` prepared for `types`, preparing it first when needed.
    private func prepared(_ sql: String, _ types: [UInt32], _ c: OpaquePointer) throws -> String {
        let key = StatementKey(types: types, sql: sql)
        if let name = statements[key] { return name }
        if statements.count >= PostgresConnection.statementCacheLimit {
            _ = try check(PQexec(c, "DEALLOCATE ALL"), c)
            statements = [:]
        }
        statementCounter += 1
        let name = "oe_\(statementCounter)"
        _ = try check(types.withUnsafeBufferPointer { PQprepare(c, name, sql, Int32(types.count), $0.baseAddress) }, c)
        statements[key] = name
        return name
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
            statements = [:]
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
