import CLuaBridge
import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Lua host of one engine: a sandboxed Lua 5.4 state with the `oe` API, the workflow
/// scripts loaded into it, and the engine hooks that run their guards and event hooks inside
/// each command's transaction.
///
/// Thread-safety: any thread may call; one thread at a time runs Lua (the interpreter lock).
/// A script waiting for a top-level command gives the lock up, so another thread's command can
/// run its hooks meanwhile (on a Lua thread of its own).
///
/// Ownership: the engine keeps its hooks (this host) alive; the host refers to the engine
/// weakly. Close the engine, not the host.
public final class LuaHost: EngineHooks, @unchecked Sendable {
    // All mutable state below is guarded by `lock`.
    private let state: OpaquePointer
    let lock = ScriptLock()
    /// Guarded by `lock`.
    public private(set) var limits: ScriptLimits
    private weak var engineRef: Engine?
    private var frames: [UInt: [Frame]] = [:]
    private var mainBusy = false
    private var idleThreads: [UnsafeMutableRawPointer] = []
    private var eventsWithHooks: Set<String> = []
    private var commandsWithGuards: Set<String> = []
    private var lastBudgetSerial: UInt64 = 0
    /// The budget the state counts against now (guarded by `lock`).
    private var budgetLimit: Int64 = 0

    private func setBudget(_ b: Int64) {
        budgetLimit = b
        oe_lua_set_budget(state, b)
    }
    /// Folders `require` may load modules from (each loaded workflow's folder, in order).
    private(set) var moduleFolders: [String] = []
    /// The clock `oe.clock.advance` moves; set only in test mode (`oe test`).
    public var testClock: ManualClock?
    /// Where `oe.log` and `print` go (default: standard error).
    public var logSink: @Sendable (String) -> Void = { line in
        let s = line.hasSuffix("\n") ? line : line + "\n"
        _ = s.withCString { write(2, $0, strlen($0)) }
    }

    /// One active entry into Lua on an OS thread.
    private struct Frame {
        /// The command whose transaction hooks run in (nil for scripts and evaluations).
        var context: CommandContext?
        /// While Lua is inside a host call: the Lua thread that called (nested entries run on it).
        var callingThread: UnsafeMutableRawPointer?
    }

    /// Creates the state, runs the prelude, and attaches to `engine` as its hooks.
    /// Throws `nomem` when the state cannot be created.
    public init(engine: Engine, limits: ScriptLimits = ScriptLimits()) throws(OrderError) {
        self.limits = limits
        self.engineRef = engine
        let box = Unmanaged<LuaHostBox>.passRetained(LuaHostBox())
        guard let s = oe_lua_open(limits.memoryBytes > 0 ? limits.memoryBytes : 0, box.toOpaque(), luaHostNative) else {
            box.release()
            throw OrderError(.outOfMemory, "cannot create a Lua state")
        }
        state = s
        hostBox = box
        box.takeUnretainedValue().host = self
        oe_lua_set_budget(s, limits.scriptInstructions)
        budgetLimit = limits.scriptInstructions
        var out: UnsafeMutablePointer<CChar>?
        var len = 0
        let rc = Prelude.source.withCString { oe_lua_boot(s, $0, strlen($0), "=prelude", &out, &len) }
        let message = out.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: len), as: UTF8.self) } ?? ""
        free(out)
        if rc != 0 {
            // deinit closes the state and releases the box.
            throw OrderError(.script, "the Lua prelude failed: \(message)")
        }
        engine.setHooks(self)
    }

    private let hostBox: Unmanaged<LuaHostBox>

    /// The C state, for measurements in this module (use under `lock`).
    var rawState: OpaquePointer { state }

    deinit {
        for t in idleThreads { oe_lua_thread_free(state, t) }
        oe_lua_close(state)
        hostBox.release()
    }

    /// The engine this host serves (nil once it is gone).
    public var engine: Engine? { engineRef }

    // MARK: - Loading and evaluating

    /// Loads a workflow file: runs it once (it registers hooks and guards with `oe.on` and
    /// `oe.before`) and adds its folder to the `require` path. Errors name `file:line`.
    public func loadWorkflow(path: String) throws(OrderError) {
        let source = try FileReader.read(path)
        lock.withLock {
            let dir = FileReader.directory(of: path)
            if !moduleFolders.contains(dir) { moduleFolders.append(dir) }
        }
        _ = try invoke("load", [.string(source), .string("@" + path)], context: nil)
    }

    /// Runs Lua source text as a chunk in the sandbox and returns its first result as JSON
    /// (functions and other values without a JSON form are an error). `chunkname` appears in
    /// error messages (`=name` or `@file`).
    @discardableResult
    public func eval(_ source: String, chunkname: String = "=eval") throws(OrderError) -> JSON {
        try invoke("eval", [.string(source), .string(chunkname)], context: nil)
    }

    /// Calls the sandbox's global function `name` with `args` as a top-level evaluation and
    /// returns its first result (tools such as the REPL define their helpers this way).
    @discardableResult
    public func callGlobal(_ name: String, _ args: [JSON]) throws(OrderError) -> JSON {
        try invoke("call", [.string(name)] + args, context: nil)
    }

    /// The C state, for an async-signal-safe interrupt from a SIGINT handler
    /// (`oe_lua_interrupt(host.interruptTarget)`); valid while the host lives.
    public var interruptTarget: OpaquePointer { state }

    /// Changes the limits (the next command or evaluation uses them).
    public func setLimits(_ l: ScriptLimits) {
        lock.withLock {
            limits = l
            oe_lua_set_memory_limit(state, l.memoryBytes > 0 ? l.memoryBytes : 0)
        }
    }

    /// Bytes the Lua state holds now.
    public var memoryUsed: Int { lock.withLock { oe_lua_memory_used(state) } }

    /// Stops the running chunk at its next instruction check (async-signal-safe; for Ctrl-C).
    public func interrupt() { oe_lua_interrupt(state) }

    // MARK: - EngineHooks

    public func before(command name: String, params: JSON, context: CommandContext) throws {
        guard lock.withLock({ commandsWithGuards.contains(name) }) else { return }
        let r = try invoke("before", [.string(name), params], context: context)
        if case .object(let o) = r, o["ok"] == .bool(false) {
            throw OrderError(.script, o["reason"]?.stringValue ?? "refused by a guard on \(name)")
        }
    }

    public func on(event: EngineEvent, context: CommandContext) throws {
        guard lock.withLock({ eventsWithHooks.contains(event.name) || eventsWithHooks.contains("*") }) else { return }
        // The order object is loaded lazily on the Lua side (only when a hook reads its fields).
        _ = try invoke("event", [event.json], context: context)
    }

    // MARK: - Entering Lua

    /// Calls prelude entry `entry` with `args`, holding the interpreter lock, on the right Lua
    /// thread: nested entries on the thread that called the host; a first entry on the main
    /// thread, or on a thread of its own while another OS thread's entry is paused.
    func invoke(_ entry: String, _ args: [JSON], context: CommandContext?) throws(OrderError) -> JSON {
        lock.lock()
        defer { lock.unlock() }
        let key = currentThreadKey()
        var stack = frames[key] ?? []
        var thread: UnsafeMutableRawPointer?
        var usedMain = false
        var pooled: UnsafeMutableRawPointer?
        if let calling = stack.last?.callingThread {
            thread = calling
        } else if !mainBusy {
            mainBusy = true
            usedMain = true
        } else {
            if let t = idleThreads.popLast() ?? oe_lua_thread_new(state) {
                pooled = t
                thread = t
            } else {
                throw OrderError(.outOfMemory, "cannot create a Lua thread for this entry")
            }
        }
        // A new command's first hook gets the per-command budget; a top-level evaluation the
        // script budget. Nested entries of the same command share what is left.
        if let context, context.serial != lastBudgetSerial {
            setBudget(limits.instructions)
            lastBudgetSerial = context.serial
        } else if context == nil && stack.isEmpty {
            setBudget(limits.scriptInstructions)
            lastBudgetSerial = 0
        }
        stack.append(Frame(context: context))
        frames[key] = stack
        defer {
            var s = frames[key] ?? []
            s.removeLast()
            frames[key] = s.isEmpty ? nil : s
            if usedMain { mainBusy = false }
            if let pooled { idleThreads.append(pooled) }
        }
        let bytes = LuaValueCodec.encode(.array(args))
        var out: UnsafeMutablePointer<CChar>?
        var len = 0
        let rc = bytes.withUnsafeBufferPointer { b in
            entry.withCString { e in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                    oe_lua_invoke(state, thread, e, p, b.count, &out, &len)
                }
            }
        }
        defer { free(out) }
        let raw = UnsafeRawBufferPointer(start: out, count: out == nil ? 0 : len)
        switch Int32(rc) {
        case Int32(OE_LUA_OK):
            return try LuaValueCodec.decode(raw)
        case Int32(OE_LUA_ERR_MEM):
            throw OrderError(.outOfMemory, "Lua memory cap of \(limits.memoryBytes) bytes exceeded: \(String(decoding: raw, as: UTF8.self))")
        case Int32(OE_LUA_ERR_INTERRUPT):
            throw OrderError(.script, "interrupted")
        default:
            throw OrderError.fromLua(String(decoding: raw, as: UTF8.self))
        }
    }

    // MARK: - Natives (Lua -> Swift)

    /// Dispatches `native(fid, …)` from the prelude. Runs with the interpreter lock held by the
    /// calling OS thread (Lua called us).
    fileprivate func native(_ fid: Int64, _ args: [JSON], thread: UnsafeMutableRawPointer?) -> Result<JSON, OrderError> {
        let key = currentThreadKey()
        let saved = frames[key]?.last?.callingThread
        if var s = frames[key], !s.isEmpty {
            s[s.count - 1].callingThread = thread
            frames[key] = s
        }
        defer {
            if var s = frames[key], !s.isEmpty {
                s[s.count - 1].callingThread = saved
                frames[key] = s
            }
        }
        do {
            return .success(try dispatchNative(fid, args))
        } catch {
            return .failure(error)
        }
    }

    private func arg(_ args: [JSON], _ i: Int) -> JSON { i < args.count ? args[i] : .null }

    private func dispatchNative(_ fid: Int64, _ args: [JSON]) throws(OrderError) -> JSON {
        switch fid {
        case 0: return .null
        case 1: return try nativeCall(arg(args, 0).stringValue ?? "", arg(args, 1))
        case 2:
            logSink(arg(args, 0).stringValue ?? "")
            return .null
        case 3: return .int(try clock().now().seconds)
        case 4:
            guard let c = testClock else { throw OrderError(.misuse, "oe.clock.advance works only in test mode (oe test)") }
            guard let s = arg(args, 0).intValue else { throw OrderError.invalid("seconds", "expected an integer") }
            c.advance(seconds: s)
            return .string(c.now().iso8601)
        case 5:
            guard let s = arg(args, 0).intValue else { throw OrderError.invalid("seconds", "oe.iso expects integer seconds") }
            return .string(Timestamp(seconds: s).iso8601)
        case 6:
            guard let s = arg(args, 0).stringValue, let t = Timestamp(iso8601: s) else {
                throw OrderError.invalid("time", "oe.time expects an ISO 8601 date such as 2026-11-28T10:00:00Z")
            }
            return .int(t.seconds)
        case 7: return try moduleSource(arg(args, 0).stringValue ?? "")
        case 8:
            let name = arg(args, 1).stringValue ?? ""
            if arg(args, 0).stringValue == "on" { eventsWithHooks.insert(name) } else { commandsWithGuards.insert(name) }
            return .null
        case 9: return .bool(testClock != nil)
        default: throw OrderError(.misuse, "unknown native function \(fid)")
        }
    }

    private func clock() throws(OrderError) -> any Clock {
        guard let e = engineRef else { throw OrderError(.misuse, "the engine is closed") }
        return e.configuration.clock
    }

    /// `oe.call`: inside a hook, in the hook's transaction; from a script, as a top-level
    /// command of its own, with the interpreter lock given up while it runs and its hooks on a
    /// fresh budget (the script's budget is restored afterwards).
    private func nativeCall(_ name: String, _ params: JSON) throws(OrderError) -> JSON {
        let key = currentThreadKey()
        if let ctx = frames[key]?.last?.context {
            do { return try ctx.call(name, params) } catch let e as OrderError { throw e } catch {
                throw OrderError(.storage, "\(error)")
            }
        }
        guard let engine = engineRef else { throw OrderError(.misuse, "the engine is closed") }
        let (limit, remaining) = (budgetLimit, oe_lua_budget_remaining(state))
        let depth = lock.releaseAll()
        defer {
            lock.reacquire(depth)
            budgetLimit = limit
            oe_lua_set_budget(state, limit)
            oe_lua_budget_restore(state, remaining)
            lastBudgetSerial = 0
        }
        return try engine.call(name, params, actor: "lua")
    }

    private func moduleSource(_ name: String) throws(OrderError) -> JSON {
        let rel = name.split(separator: ".").joined(separator: "/") + ".lua"
        for dir in moduleFolders {
            let path = dir + "/" + rel
            if FileReader.isFile(path) {
                return ["source": .string(try FileReader.read(path)), "chunkname": .string("@" + path)]
            }
        }
        throw OrderError(.notFound, "require: no module '\(name)' in the workflow folders (\(moduleFolders.joined(separator: ", ")))")
    }
}

/// Carries the host pointer for the C callback (set after init completes).
final class LuaHostBox {
    weak var host: LuaHost?
}

/// The C entry for `native(fid, …)`: decodes the arguments, calls the host, and hands the
/// result (or the error text) back in a malloc'd buffer. Never throws, never calls Lua.
private func luaHostNative(_ box: UnsafeMutableRawPointer?, _ thread: UnsafeMutableRawPointer?, _ fid: Int64,
                           _ args: UnsafePointer<CChar>?, _ len: Int,
                           _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ outLen: UnsafeMutablePointer<Int>?) -> Int32 {
    let result: Result<JSON, OrderError>
    if let box, let host = Unmanaged<LuaHostBox>.fromOpaque(box).takeUnretainedValue().host {
        do {
            let decoded = try LuaValueCodec.decode(UnsafeRawBufferPointer(start: args, count: args == nil ? 0 : len))
            if fid == 0 {
                result = .success(.null)
            } else {
                result = host.native(fid, decoded.arrayValue ?? [], thread: thread)
            }
        } catch {
            result = .failure(error)
        }
    } else {
        result = fid == 0 ? .success(.null) : .failure(OrderError(.misuse, "the Lua host is gone"))
    }
    switch result {
    case .success(let v):
        let bytes = LuaValueCodec.encode(v)
        guard let p = malloc(max(bytes.count, 1))?.assumingMemoryBound(to: CChar.self) else { return 1 }
        _ = bytes.withUnsafeBytes { b in memcpy(p, b.baseAddress!, bytes.count) }
        out?.pointee = p
        outLen?.pointee = bytes.count
        return 0
    case .failure(let e):
        let text = e.description
        out?.pointee = strdup(text)
        outLen?.pointee = text.utf8.count
        return 1
    }
}

extension LuaHost {
    /// The script host for `EngineConfiguration.scriptHost`: creates a `LuaHost` with `limits`,
    /// loads the configured workflows in order, and installs it as the engine's hooks.
    ///
    /// ```swift
    /// var config = EngineConfiguration()
    /// config.workflows = ["scripts/workflows/danish.lua"]
    /// config.scriptHost = LuaHost.factory()
    /// let engine = try Engine(path: "shop.sqlite", configuration: config)
    /// ```
    public static func factory(limits: ScriptLimits = ScriptLimits(), testClock: ManualClock? = nil,
                               logSink: (@Sendable (String) -> Void)? = nil) -> @Sendable (Engine, [String]) throws -> Void {
        { engine, workflows in
            let host = try LuaHost(engine: engine, limits: limits)
            host.testClock = testClock
            if let logSink { host.logSink = logSink }
            for w in workflows { try host.loadWorkflow(path: w) }
        }
    }
}

extension Engine {
    /// The Lua host installed as this engine's hooks, if any.
    public var luaHost: LuaHost? { hooks as? LuaHost }
}

extension OrderError {
    /// The error a failed Lua entry reports. An engine error that crossed Lua unchanged (its
    /// text starts with `error[<code>]: `, as `oe.call` raises it) keeps its code, so a
    /// refusal inside a hook reaches the caller as `policy`, not buried as
    /// `error[script]: error[policy]: …`; any other Lua error is `script`. The traceback stays
    /// in the message.
    static func fromLua(_ text: String) -> OrderError {
        var rest = Substring(text)
        var code: ErrorCode?
        while rest.hasPrefix("error["), let close = rest.firstIndex(of: "]") {
            let name = rest[rest.index(rest.startIndex, offsetBy: 6)..<close]
            guard let c = ErrorCode(name: String(name)) else { break }
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(": ") else { break }
            code = c
            rest = after.dropFirst(2)
        }
        return OrderError(code ?? .script, String(rest))
    }
}
