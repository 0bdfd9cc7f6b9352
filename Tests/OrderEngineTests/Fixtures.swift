import Foundation
import OrderCore
import OrderEngine
import OrderStore
import Synchronization
import Testing

/// A shop for one test: an engine on `:memory:` (or a file), a `ManualClock` that starts on
/// Monday 2026-11-23 08:00 UTC, and the simulated gateway, carrier and mailer, kept so tests
/// can steer and inspect them.
final class Shop: @unchecked Sendable {
    static let start = Timestamp(year: 2026, month: 11, day: 23, hour: 8)

    let clock: ManualClock
    let gateway: SimulatedGateway
    let carrier: SimulatedCarrier
    let mailer: SimulatedMailer
    let engine: Engine

    /// Opens a fresh shop. `gateway` replaces the simulated gateway as the engine's port (the
    /// `gateway` property then still holds a simulator the replacement may wrap).
    init(path: String = ":memory:", clock: ManualClock? = nil, gateway: SimulatedGateway = SimulatedGateway(),
         port: (any PaymentGateway)? = nil, carrier: SimulatedCarrier = SimulatedCarrier(), mailer: SimulatedMailer = SimulatedMailer(),
         mailerPort: (any Mailer)? = nil, maxCallDepth: Int = 8, seller: Bool = true,
         busyTimeoutSeconds: Double = 30, location: String? = nil) throws {
        let clock = clock ?? ManualClock(Shop.start)
        self.clock = clock
        self.gateway = gateway
        self.carrier = carrier
        self.mailer = mailer
        var configuration = EngineConfiguration(
            clock: clock, gateway: port ?? gateway, carrier: carrier, mailer: mailerPort ?? mailer, maxCallDepth: maxCallDepth)
        configuration.busyTimeoutSeconds = busyTimeoutSeconds
        // `location`: a database argument already resolved for this backend (else `path` is).
        engine = try Engine(path: location ?? TestDatabase.location(path), configuration: configuration)
        // No invoice without a seller (issue 13): a shop opened for a test has one unless asked not to.
        if seller, try engine.call("settings.get", [:], actor: nil)["seller"]?["vat_number"]?.stringValue == Seller.unset.vatNumber {
            try engine.call("settings.set", ["seller": Shop.seller], actor: nil)
        }
    }

    /// The seller a test shop has: Danish CVR 13585628 passes the modulus-11 check.
    static let seller: JSON = ["name": "Butik ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"]

    // MARK: - Calls

    @discardableResult
    func call(_ name: String, _ params: JSON = [:], actor: String? = nil) throws -> JSON {
        try engine.call(name, params, actor: actor)
    }

    func checksum() throws -> String { try engine.store.contentChecksum() }

    // MARK: - Building blocks

    static func customer(name: String = "Mette Hansen", email: String = "mette@example.dk", language: String = "da",
                         address: Bool = true) -> JSON {
        var c: JSONObject = ["name": .string(name), "email": .string(email), "language": .string(language)]
        if address {
            c["billing_address"] = ["street": "Vestergade 1", "postal_code": "8000", "city": "Aarhus C"]
        }
        return .object(c)
    }

    static func line(_ sku: String, _ name: String, qty: Int64, price: Int64, vat: Int64 = 2500, prepayable: Bool = false) -> JSON {
        var l: JSONObject = ["sku": .string(sku), "name": .string(name), "qty": .int(qty), "unit_price": .int(price), "vat_rate": .int(vat)]
        if prepayable { l["prepayable"] = true }
        return .object(l)
    }

    /// Two T-shirts at 199.00 and a mug at 99.00: 497.00 DKK.
    static let defaultLines: [JSON] = [line("TSHIRT", "T-shirt", qty: 2, price: 19_900), line("MUG", "Krus", qty: 1, price: 9_900)]
    static let defaultTotal: Int64 = 49_700

    static func orderParams(customer: JSON = Shop.customer(), lines: [JSON] = Shop.defaultLines, delivery: JSON? = nil,
                            notify: Bool? = nil, tags: [String]? = nil) -> JSON {
        var p: JSONObject = ["customer": customer, "lines": .array(lines), "currency": "DKK"]
        if let delivery { p["delivery"] = delivery }
        if let notify { p["notify"] = .bool(notify) }
        if let tags { p["tags"] = .array(tags.map { .string($0) }) }
        return .object(p)
    }

    /// Creates an order and returns its number.
    @discardableResult
    func createOrder(customer: JSON = Shop.customer(), lines: [JSON] = Shop.defaultLines, delivery: JSON? = nil,
                     notify: Bool? = nil, tags: [String]? = nil) throws -> Int64 {
        let o = try call("order.create", Shop.orderParams(customer: customer, lines: lines, delivery: delivery, notify: notify, tags: tags))
        return try #require(o["order"]?.intValue)
    }

    /// Authorises `amount` (default: the order total) on order `n`.
    @discardableResult
    func authorize(_ n: Int64, amount: Int64? = nil, method: String = "visa", key: String? = nil) throws -> JSON {
        let total = try amount ?? #require(order(n)["total"]?.intValue)
        var p: JSONObject = ["order": .int(n), "amount": .int(total), "method": .string(method), "reference": .string("chk-\(n)")]
        if let key { p["idempotency_key"] = .string(key) }
        return try call("payment.authorize", .object(p))
    }

    /// A created and fully authorised order (status `received`).
    @discardableResult
    func paidOrder(customer: JSON = Shop.customer(), lines: [JSON] = Shop.defaultLines, delivery: JSON? = nil,
                   notify: Bool? = nil, tags: [String]? = nil) throws -> Int64 {
        let n = try createOrder(customer: customer, lines: lines, delivery: delivery, notify: notify, tags: tags)
        try authorize(n)
        return n
    }

    /// Ships `lines` (sku, qty) of order `n` (all that is left by default); returns the shipment id.
    @discardableResult
    func ship(_ n: Int64, _ lines: [(String, Int64)]? = nil, carrier: String? = "gls", tracking: String? = nil) throws -> Int64 {
        var p: JSONObject = ["order": .int(n)]
        if let lines { p["lines"] = .array(lines.map { ["sku": .string($0.0), "qty": .int($0.1)] }) }
        if let carrier { p["carrier"] = .string(carrier) }
        if let tracking { p["tracking"] = .string(tracking) }
        let s = try call("shipment.create", .object(p))
        return try #require(s["shipment"]?.intValue)
    }

    @discardableResult
    func handOver(_ shipment: Int64) throws -> JSON { try call("shipment.hand_over", ["shipment": .int(shipment)]) }

    /// Ships everything left and hands it over; returns the shipment id.
    @discardableResult
    func shipAndHandOver(_ n: Int64, _ lines: [(String, Int64)]? = nil) throws -> Int64 {
        let s = try ship(n, lines)
        try handOver(s)
        return s
    }

    @discardableResult
    func capture(_ n: Int64, amount: Int64? = nil, key: String? = nil) throws -> JSON {
        var p: JSONObject = ["order": .int(n)]
        if let amount { p["amount"] = .int(amount) }
        if let key { p["idempotency_key"] = .string(key) }
        return try call("payment.capture", .object(p))
    }

    @discardableResult
    func setStatus(_ n: Int64, _ status: String) throws -> JSON {
        try call("order.set_status", ["order": .int(n), "status": .string(status)])
    }

    @discardableResult
    func settings(_ p: JSON) throws -> JSON { try call("settings.set", p) }

    func simulate(_ n: Int64, _ operation: String = "capture", _ behaviour: String) throws {
        try call("gateway.simulate", ["order": .int(n), "operation": .string(operation), "behaviour": .string(behaviour)])
    }

    // MARK: - Reads

    func order(_ n: Int64) throws -> JSON { try call("order.get", ["order": .int(n)]) }

    func timeline(_ n: Int64) throws -> [JSON] {
        try #require(call("order.timeline", ["order": .int(n)])["events"]?.arrayValue)
    }

    func outbox(_ status: String = "pending", order: Int64? = nil) throws -> [JSON] {
        var p: JSONObject = ["status": .string(status)]
        if let order { p["order"] = .int(order) }
        return try #require(call("outbox.list", .object(p))["messages"]?.arrayValue)
    }

    /// Order numbers `order.find` returns for `filter` (one page of up to 1000).
    func find(_ filter: JSONObject = [:]) throws -> [Int64] {
        var p = filter
        if p["limit"] == nil { p["limit"] = 1000 }
        return try #require(call("order.find", .object(p))["orders"]?.arrayValue).compactMap { $0["order"]?.intValue }
    }

    func count(_ filter: JSON = [:]) throws -> Int64 {
        try #require(call("order.count", filter)["count"]?.intValue)
    }
}

// MARK: - JSON conveniences for tests

extension JSON {
    /// Element `i` of an array (nil when out of range or not an array).
    subscript(i: Int) -> JSON? {
        guard let a = arrayValue, a.indices.contains(i) else { return nil }
        return a[i]
    }

    var count: Int { arrayValue?.count ?? objectValue?.count ?? 0 }
}

extension Array where Element == JSON {
    /// The events named `name`.
    func named(_ name: String) -> [JSON] { filter { $0["event"]?.stringValue == name } }
}

// MARK: - Error expectations

/// Expects `body` to throw an `OrderError` with `code` whose message contains every fragment.
@discardableResult
func expectError(_ code: ErrorCode, _ fragments: String..., field: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> OrderError? {
    let error = #expect(throws: OrderError.self, sourceLocation: sourceLocation) { try body() }
    guard let error else { return nil }
    #expect(error.code == code, "expected \(code) but got \(error)", sourceLocation: sourceLocation)
    for f in fragments {
        #expect(error.message.contains(f), "message \"\(error.message)\" should contain \"\(f)\"", sourceLocation: sourceLocation)
    }
    if let field { #expect(error.field == field, "field of \(error)", sourceLocation: sourceLocation) }
    return error
}

/// Like `expectError`, and also proves the database content did not change.
@discardableResult
func expectRefused(_ shop: Shop, _ code: ErrorCode, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> Void) throws -> OrderError? {
    let before = try shop.checksum()
    let error = #expect(throws: OrderError.self, sourceLocation: sourceLocation) { try body() }
    if let error {
        #expect(error.code == code, "expected \(code) but got \(error)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(error.message.contains(f), "message \"\(error.message)\" should contain \"\(f)\"", sourceLocation: sourceLocation)
        }
    }
    #expect(try shop.checksum() == before, "the failed call changed stored data", sourceLocation: sourceLocation)
    return error
}

// MARK: - Test doubles

/// Hooks assembled from closures, recording every guard call and event.
final class TestHooks: EngineHooks, @unchecked Sendable {
    typealias Before = (String, JSON, CommandContext) throws -> Void
    typealias On = (EngineEvent, CommandContext) throws -> Void

    private let lock = Mutex<([String], [EngineEvent])>(([], []))
    var beforeHandler: Before?
    var onHandler: On?

    init(before: Before? = nil, on: On? = nil) {
        beforeHandler = before
        onHandler = on
    }

    func before(command name: String, params: JSON, context: CommandContext) throws {
        lock.withLock { $0.0.append(name) }
        try beforeHandler?(name, params, context)
    }

    func on(event: EngineEvent, context: CommandContext) throws {
        lock.withLock { $0.1.append(event) }
        try onHandler?(event, context)
    }

    var commands: [String] { lock.withLock { $0.0 } }
    var events: [EngineEvent] { lock.withLock { $0.1 } }
}

/// A gateway in front of a `SimulatedGateway` that can lose answers: with `loseResponses` the
/// request reaches the simulator (money moves) but the caller gets a network error; with
/// `dropRequests` the request never arrives; with `lookupDown` the gateway cannot be asked by key.
final class FlakyGateway: PaymentGateway, @unchecked Sendable {
    let inner: SimulatedGateway
    private let state = Mutex((loseResponses: false, dropRequests: false, lookupDown: false, performed: 0))

    init(_ inner: SimulatedGateway) { self.inner = inner }

    /// The simulator's: the same bank behind a flaky network.
    var identity: String? { inner.identity }

    func set(loseResponses: Bool? = nil, dropRequests: Bool? = nil, lookupDown: Bool? = nil) {
        state.withLock { s in
            if let loseResponses { s.loseResponses = loseResponses }
            if let dropRequests { s.dropRequests = dropRequests }
            if let lookupDown { s.lookupDown = lookupDown }
        }
    }

    /// How often `perform` was called.
    var performed: Int { state.withLock { $0.performed } }

    func perform(_ request: GatewayRequest) throws -> GatewayOutcome {
        let s = state.withLock { s in
            s.performed += 1
            return s
        }
        if s.dropRequests { throw PortFailure("connection refused (test)") }
        let outcome = try inner.perform(request)
        if s.loseResponses { throw PortFailure("read timed out (test)") }
        return outcome
    }

    func lookup(idempotencyKey: String) throws -> GatewayOutcome? {
        if state.withLock({ $0.lookupDown }) { throw PortFailure("gateway status API down (test)") }
        return try inner.lookup(idempotencyKey: idempotencyKey)
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("oe-enginetests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A value behind a lock that escaping closures (hooks, threads) can share.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T

    init(_ v: T) { self.v = v }

    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&v)
    }

    var value: T { withLock { $0 } }
}

/// A mailer that records what it sends and fails once, on its `failOn`-th call.
final class FailingMailer: Mailer, @unchecked Sendable {
    private let state = Locked((calls: 0, sent: [OutboxMessage]()))
    private let failOn: Int

    init(failOn: Int) { self.failOn = failOn }

    func send(_ message: OutboxMessage) throws {
        try state.withLock { s in
            s.calls += 1
            if s.calls == failOn { throw PortFailure("SMTP 451 try again later (test)") }
            s.sent.append(message)
        }
    }

    var messages: [OutboxMessage] { state.value.sent }
}
