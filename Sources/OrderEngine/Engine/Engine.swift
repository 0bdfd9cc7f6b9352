import OrderCore
import OrderStore
import Synchronization

/// An open order engine on one shop's database: the command registry, transactions, events,
/// hooks, the outbox and the ports.
///
/// ```swift
/// let engine = try Engine(path: "shop.sqlite")
/// let order = try engine.call("order.create", ["customer": [...], "lines": [...]])
/// ```
///
/// Thread-safety: one engine may be used from any number of threads. Write commands are
/// serialised (one write transaction at a time, also across processes on the same file);
/// read commands run concurrently on consistent snapshots. Hooks run inside write
/// transactions, so they see one call at a time.
public final class Engine: Sendable {
    /// The store: one SQLite file or in-memory database, or a PostgreSQL database. Embedders
    /// see its location, write count and content checksum; its operations run only in commands.
    public var store: any OrderStoreBackend { storage }
    /// The store the commands run on (`package`: an embedder goes through the commands).
    package let storage: any StoreBackend
    /// Ports and options the engine was opened with.
    public let configuration: EngineConfiguration
    /// Every command this engine answers.
    public let registry: CommandRegistry

    private struct ConfigCache {
        var generation: Int64 = -1
        var settings = ShopSettings()
        var statuses = StatusGraph.defaults
    }

    private let cache = Locked(ConfigCache())

    /// Drops the cached configuration (a command changed it): the next transaction reads the
    /// generation at once rather than have its store find the cache stale and run it again.
    func forgetCachedConfiguration() { cache.withLock { $0.generation = -1 } }
    private let hooksBox = Locked<(any EngineHooks)?>(nil)
    private let closed = Atomic<Bool>(false)
    /// The gateways whose leftover effects were reconciled already: once per gateway identity,
    /// before the first write that runs with that gateway (never at open), so a host that
    /// plugs in its gateway after the simulator answered still gets its own leftovers resolved.
    private let reconciledGateways = Locked<Set<String>>([])

    /// Opens the engine on `path`: an SQLite file (`nil` or `":memory:"` for an in-memory
    /// database) or a `postgresql://` / `postgres://` URL (see `StoreOpener`), creating
    /// and migrating the database as needed. Throws `storage` when the database cannot be
    /// opened or is someone else's (not an OrderEngine database).
    ///
    /// Opening resolves nothing: effects a crash left pending are reconciled before the first
    /// write command that runs with a payment gateway configured (so a C host sets its ports
    /// first), and only with the gateway each effect was sent to.
    public init(path: String?, configuration: EngineConfiguration = EngineConfiguration()) throws(OrderError) {
        storage = try StoreOpener.open(path, options: StoreOptions(durability: configuration.durability,
                                                                  busyTimeoutSeconds: configuration.busyTimeoutSeconds))
        self.configuration = configuration
        var r = CommandRegistry()
        Commands.registerAll(in: &r, configuration: configuration)
        registry = r
        if let factory = configuration.scriptHost {
            do { try factory(self, configuration.workflows) } catch let e as OrderError { throw e } catch {
                throw OrderError(.script, "cannot load the workflows: \(error)")
            }
        } else if !configuration.workflows.isEmpty {
            throw OrderError(.misuse, "workflows are configured but no script host is (set EngineConfiguration.scriptHost)")
        }
    }

    /// Reconciles effects older than a minute that an earlier process left pending, once per
    /// gateway, before the first write that has that gateway to ask (a failure leaves them for
    /// `payment.reconcile`). Only the current gateway's own effects are asked about.
    private func reconcileLeftovers() {
        guard let identity = configuration.gateway.identity,
              reconciledGateways.withLock({ $0.insert(identity).inserted })
        else { return }
        let cutoff = configuration.clock.now().adding(seconds: -60)
        guard let leftovers = try? storage.read({ s in try s.pendingEffects(createdBefore: cutoff) }), !leftovers.isEmpty else { return }
        _ = try? callUntyped("payment.reconcile", ["older_than_seconds": 60], actor: "system")
    }

    /// Installs the workflow hooks (the Lua host), replacing any earlier ones; `nil` removes them.
    public func setHooks(_ hooks: (any EngineHooks)?) { hooksBox.withLock { $0 = hooks } }

    /// The installed hooks.
    public var hooks: (any EngineHooks)? { hooksBox.withLock { $0 } }

    /// Marks the engine closed: every later call fails with `misuse`. Calls in progress finish.
    public func close() { closed.store(true, ordering: .sequentiallyConsistent) }

    /// Whether `close()` was called.
    public var isClosed: Bool { closed.load(ordering: .sequentiallyConsistent) }

    // MARK: - Calling commands

    /// Runs command `name` with JSON-shaped `params` and returns its JSON-shaped result.
    ///
    /// A write command runs in one transaction together with every guard and hook it triggers
    /// and the outbox rows it queues; on any error nothing of it is stored. External effects
    /// (gateway, carrier) are recorded with an idempotency key inside that transaction and
    /// performed after it commits; their outcome is recorded in a follow-up transaction.
    public func call(_ name: String, _ params: JSON = [:], actor: String? = nil) throws(OrderError) -> JSON {
        do {
            return try callUntyped(name, params, actor: actor ?? configuration.defaultActor)
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "\(name): \(error)")
        }
    }

    /// Runs a command given its parameters as JSON text; returns the result as compact JSON text.
    public func call(_ name: String, json: String, actor: String? = nil) throws(OrderError) -> String {
        let params = try JSONParser.parse(json)
        return try call(name, params, actor: actor).compactText
    }

    private func callUntyped(_ name: String, _ params: JSON, actor: String) throws -> JSON {
        if isClosed { throw OrderError(.misuse, "the engine is closed") }
        let cmd = try registry.resolve(name)
        if cmd.access != .read { reconcileLeftovers() }
        if cmd.access == .orchestrated, let orchestrate = cmd.orchestrate {
            return try orchestrate(self, params, actor)
        }
        if cmd.access == .read {
            return try storage.read { s in
                let ctx = try context(s, actor: actor, isWrite: false)
                return try execute(cmd, params, in: ctx)
            }
        }
        var queued: [QueuedEffect] = []
        var result = try storage.write { s in
            let ctx = try context(s, actor: actor, isWrite: true)
            let r = try execute(cmd, params, in: ctx)
            queued = ctx.effects
            return r
        }
        if !queued.isEmpty { result = try EffectRunner(engine: self).run(queued, result: result, actor: actor) }
        return result
    }

    /// A context for a new transaction, with settings and statuses refreshed when another
    /// command (or process) changed them.
    func context(_ s: any StoreTransaction, actor: String, isWrite: Bool) throws -> CommandContext {
        var snapshot = cache.withLock { $0 }
        // With a cached configuration the store may check its generation later (PostgreSQL:
        // with the next statement, and it runs the transaction again should it have changed).
        let gen = snapshot.generation >= 0
            ? try s.configGeneration(expecting: snapshot.generation) ?? snapshot.generation
            : try s.configGeneration()
        if snapshot.generation != gen {
            snapshot.settings = ShopSettings(stored: try s.loadSettings())
            var graph = StatusGraph.defaults
            for d in try s.loadStatusDefinitions() { graph.upsert(d) }
            snapshot.statuses = graph
            snapshot.generation = gen
            let fresh = snapshot
            cache.withLock { if $0.generation < gen { $0 = fresh } }
        }
        // Nothing commits on this configuration once another server has changed it.
        if isWrite { try s.guardConfigGeneration(gen) }
        let now: Timestamp
        if let fallible = configuration.clock as? FallibleClock {
            do { now = try fallible.checkedNow() } catch {
                throw (error as? OrderError) ?? OrderError(.port, "clock: \(error)")
            }
        } else {
            now = configuration.clock.now()
        }
        var session = s
        if isWrite {
            session.effectGateway = configuration.gateway.identity.map { .success($0) } ?? .failure(Unconfigured.error("payment gateway"))
        }
        return CommandContext(session: session, now: now, actor: actor, engine: self, isWrite: isWrite,
                              settings: snapshot.settings, statuses: snapshot.statuses)
    }

    /// Runs `cmd` in `ctx`: guards, handler, unknown-field check, then the hooks for the events
    /// the handler emitted. Nested calls run in a savepoint so a failure undoes only their writes.
    func execute(_ cmd: Command, _ params: JSON, in ctx: CommandContext) throws -> JSON {
        let outerCommand = ctx.command
        let eventMark = ctx.events.count
        if ctx.depth == ctx.topDepth { ctx.beginTopLevelCommand() }
        ctx.command = cmd.name
        ctx.depth += 1
        defer {
            ctx.depth -= 1
            ctx.command = outerCommand
        }
        let body = { () throws -> JSON in
            let hooks = cmd.access == .write ? self.hooks : nil
            if let hooks { try hooks.before(command: cmd.name, params: params, context: ctx) }
            let reader = try ParamReader(params)
            let result = try cmd.run(ctx, reader)
            try reader.finish()
            // Deliver this command's events; hooks may call commands, which deliver their own.
            let mine = Array(ctx.events[eventMark...])
            ctx.events.removeSubrange(eventMark...)
            if let hooks { for e in mine { try hooks.on(event: e, context: ctx) } }
            return result
        }
        if ctx.depth == 1 { return try body() }
        return try ctx.inSavepoint(body)
    }
}

extension Engine {
    /// Runs many commands in **one** transaction (group commit: one fsync for all of them):
    /// `body` calls `context.call(name, params)` as often as it likes. Each call is
    /// all-or-nothing in its own savepoint (a caught failure undoes only that call); if `body`
    /// throws, nothing of it is stored. Gateway effects the calls recorded run after the
    /// commit, their outcomes recorded together in one more transaction.
    public func transaction<T>(actor: String? = nil, _ body: (CommandContext) throws -> T) throws(OrderError) -> T {
        if isClosed { throw OrderError(.misuse, "the engine is closed") }
        reconcileLeftovers()
        let who = actor ?? configuration.defaultActor
        do {
            var queued: [QueuedEffect] = []
            let value = try storage.write { s in
                let ctx = try context(s, actor: who, isWrite: true)
                ctx.depth = 1  // every call runs in its own savepoint
                ctx.topDepth = 1  // ... and is a top-level command with its own script budget
                ctx.command = "transaction"
                let v = try body(ctx)
                queued = ctx.effects.map { QueuedEffect(record: $0.record, primary: false) }
                return v
            }
            if !queued.isEmpty { _ = EffectRunner(engine: self).runAll(queued, actor: who) }
            return value
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "transaction: \(error)")
        }
    }
}
