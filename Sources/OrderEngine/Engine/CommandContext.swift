import OrderCore
import OrderStore
import Synchronization

private let contextSerials = Atomic<UInt64>(0)

/// The world of one command invocation: its transaction, the time, the actor, the shop's
/// settings and status graph, and the events and effects it produced.
///
/// Created by the engine for each top-level call and shared by nested calls that hooks make
/// (same transaction). Valid only during the call; not thread-safe.
public final class CommandContext {
    /// The transaction.
    package let session: any StoreTransaction
    /// The time of this command (engine clock), the same for everything it records.
    public let now: Timestamp
    /// Who is acting (`cli`, `api`, `lua`, …).
    public let actor: String
    /// The engine (for ports and the registry).
    public let engine: Engine
    /// Whether this is a write transaction.
    public let isWrite: Bool
    /// Unique per top-level command: script hosts key per-command budgets (instructions and
    /// deadline of its guards and hooks) on it. A context that groups many commands
    /// (`Engine.transaction`, a mass update's batch) draws a new serial for each command it
    /// runs at its top level, so a batch of 1,000 orders gives each command its own budget
    /// instead of sharing one; nested calls from hooks keep their command's serial.
    public private(set) var serial: UInt64
    /// The depth at which this context's own commands run (0; 1 inside `Engine.transaction`,
    /// whose calls each run in a savepoint): a command entered at this depth is top-level.
    var topDepth = 0
    /// The shop's settings as of this transaction.
    public internal(set) var settings: ShopSettings
    /// The status graph as of this transaction.
    public internal(set) var statuses: StatusGraph

    var depth = 0
    var command = ""
    var events: [EngineEvent] = []
    var effects: [QueuedEffect] = []
    var configChanged = false
    /// Effects whose phase 2 (apply) is running: their commands skip phase 1.
    var applyingEffect: EffectRecord?

    init(session: any StoreTransaction, now: Timestamp, actor: String, engine: Engine, isWrite: Bool, settings: ShopSettings, statuses: StatusGraph) {
        self.session = session
        self.now = now
        self.actor = actor
        self.engine = engine
        self.isWrite = isWrite
        self.settings = settings
        self.statuses = statuses
        self.serial = CommandContext.nextSerial()
    }

    private static func nextSerial() -> UInt64 { contextSerials.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Marks the start of a top-level command in this context: a new serial, so its guards and
    /// hooks get a fresh per-command budget.
    func beginTopLevelCommand() { serial = CommandContext.nextSerial() }

    /// The command currently running (innermost).
    public var currentCommand: String { command }
    /// How deeply hooks have nested calls (0 = the caller's command).
    public var callDepth: Int { depth }

    /// Runs another command inside this transaction (for hooks). Its guards and hooks run too;
    /// if it fails, its own writes are undone (savepoint) and the error is thrown to the caller,
    /// who may catch it; an uncaught error fails the whole outer command.
    public func call(_ name: String, _ params: JSON) throws -> JSON {
        let cmd = try engine.registry.resolve(name)
        if cmd.access == .orchestrated {
            throw OrderError(.misuse, "'\(name)' manages its own transactions and cannot run inside '\(command)'")
        }
        if cmd.access == .write && !isWrite {
            throw OrderError(.misuse, "'\(name)' changes data and cannot run inside the read-only command '\(command)'")
        }
        if depth >= engine.configuration.maxCallDepth {
            throw OrderError(.misuse, "'\(name)': hooks nested command calls deeper than \(engine.configuration.maxCallDepth)")
        }
        return try engine.execute(cmd, params, in: self)
    }

    /// Queues an event for the hooks; delivered when the emitting command's handler returns.
    public func emit(_ e: EngineEvent) { events.append(e) }

    /// Appends a timeline event for `order`, with this command's time, actor and name.
    public func record(order: Int64, event: String, from: String? = nil, to: String? = nil, amount: Int64? = nil, detail: JSON = .null) throws {
        try session.appendTimeline(TimelineEvent(order: order, at: now, actor: actor, command: command, event: event,
                                                 from: from, to: to, amount: amount, detail: detail))
    }

    /// Loads an order with its ledgers or throws `not_found`.
    /// In a write command the order is locked first (`lock`), so what the command decides on
    /// cannot change under it before it commits.
    public func aggregate(_ number: Int64) throws -> OrderAggregate {
        if let a = loaded[number] { return a }
        try lock(number)
        guard let a = try session.loadAggregate(number) else { throw OrderError.notFound("order \(number) does not exist") }
        loaded[number] = a
        stored[number] = a
        return a
    }

    /// Orders this transaction has loaded or changed, as last saved: a batch of commands on one
    /// order decodes it once. Every change to an order goes through `save` (or `remember`), and
    /// a rolled-back savepoint forgets them all (`forgetLoaded`), so this never runs ahead of
    /// or behind the database.
    private var loaded: [Int64: OrderAggregate] = [:]
    /// Orders as their rows in `orders` hold them now (loaded, inserted or saved in this
    /// transaction), so a save writes only the columns that changed. Unlike `loaded`, never
    /// ahead of the row: a document appended before the save that books its payment is not here.
    private var stored: [Int64: OrderAggregate] = [:]

    /// Records the current state of an order changed in this transaction without a version
    /// bump (a document appended after its save).
    func remember(_ a: OrderAggregate) { loaded[a.order.number] = a }

    /// Records an order just inserted as both loaded and stored.
    func inserted(_ a: OrderAggregate) {
        loaded[a.order.number] = a
        stored[a.order.number] = a
    }

    /// Loads the orders among `numbers` this transaction has not loaded yet, in one batch of
    /// queries (a mass update's batch would otherwise load them one by one).
    func preload(_ numbers: [Int64]) throws {
        let missing = numbers.filter { loaded[$0] == nil }
        // In ascending order, as every batch takes them: two batches never wait on each other in a cycle.
        for n in Set(missing).sorted() { try lock(n) }
        for (n, a) in try session.loadAggregates(missing) {
            loaded[n] = a
            stored[n] = a
        }
    }

    /// Forgets every order loaded in this transaction (after a savepoint rolled back).
    func forgetLoaded() {
        loaded.removeAll()
        stored.removeAll()
    }

    /// Runs `body` in a savepoint of this transaction. If it throws, its writes are undone and
    /// so is this context's bookkeeping of them: the events and effects it added are dropped,
    /// the orders loaded in this transaction forgotten (they may be ahead of the database now),
    /// and the settings and statuses put back as they were (a `settings.set` or `status.define`
    /// in `body` was undone with it: the rest of the command, or the next order of a mass
    /// update, must not act on it); the error is rethrown. The one place that keeps a savepoint
    /// and the context in step.
    func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        let eventMark = events.count, effectMark = effects.count
        let (settingsBefore, statusesBefore) = (settings, statuses)
        do {
            return try session.savepoint(body)
        } catch {
            if events.count > eventMark { events.removeSubrange(eventMark...) }
            if effects.count > effectMark { effects.removeSubrange(effectMark...) }
            forgetLoaded()
            settings = settingsBefore
            statuses = statusesBefore
            throw error
        }
    }

    /// Locks order `number` against other writers until this transaction ends
    /// (`StoreTransaction.lockOrder`: `SELECT … FOR UPDATE` on PostgreSQL, nothing on SQLite,
    /// whose writers are serialised). Every write command locks an order before it reads what
    /// it decides on (`aggregate` does it); a read command never locks.
    func lock(_ number: Int64) throws {
        if isWrite { try session.lockOrder(number) }
    }

    /// Loads an order, checking `expected_version` when the caller passed one (`conflict` when stale).
    func aggregate(_ number: Int64, expectedVersion: Int64?) throws -> OrderAggregate {
        let a = try aggregate(number)
        if let v = expectedVersion, v != a.order.version {
            throw OrderError.conflict("order \(number) is at version \(a.order.version), not \(v): it changed since you read it; reload and retry")
        }
        return a
    }

    /// Saves an order after a change: bumps its version and `updated_at`, re-derives its state columns.
    /// `documentChanged`: the customer, lines, delivery, tags or note changed (see `updateOrder`).
    func save(_ a: inout OrderAggregate, documentChanged: Bool = false) throws {
        let old = a.order.version
        a.order.version += 1
        a.order.updatedAt = now
        let previous = stored[a.order.number].flatMap { $0.order.version == old ? $0 : nil }
        try session.updateOrder(a, expectedVersion: old, documentChanged: documentChanged, previous: previous)
        loaded[a.order.number] = a
        stored[a.order.number] = a
    }

    /// Queues an external effect to run after this transaction commits.
    func queue(_ effect: EffectRecord) {
        effects.append(QueuedEffect(record: effect, primary: depth <= 1))
    }
}

/// An effect recorded in a transaction, to run after it commits.
struct QueuedEffect {
    var record: EffectRecord
    /// Queued by the caller's own command (its outcome is the call's result) rather than by a hook.
    var primary: Bool
    /// Reconciliation: only ask the port what became of the key; never send the request again.
    var lookupOnly = false
}
