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
    /// The length of the deadline the state counts against now, for messages (guarded by `lock`).
    private var deadlineLengthMs: Int64 = 0
    /// Per OS thread: the remaining budget and deadline of a script waiting in `oe.call`, which
    /// bound the guards and hooks of the command it runs (guarded by `lock`).
    private var scriptBounds: [UInt: ScriptBound] = [:]
    /// Log bytes written and dropped in the current command or evaluation (guarded by `lock`).
    private var logUsed = 0
    private var logDropped = 0

    private struct ScriptBound {
        var remaining: Int64?                 // nil: the script has no budget
        var deadline: ContinuousClock.Instant? // nil: no deadline
        var lengthMs: Int64
        var spent: Int64 = 0
    }

    private func setBudget(_ b: Int64) {
        budgetLimit = b
        oe_lua_set_budget(state, b)
    }

    /// Starts a budget period (a command's hooks, or a top-level evaluation): its budget and
    /// deadline, each cut to what a waiting script has left.
    private func startPeriod(instructions: Int64, seconds: Double, bound: ScriptBound?) {
        var budget = instructions
        let ms = ScriptLimits.milliseconds(seconds)
        var left: Int64 = ms == 0 ? .max : ms
        var length = ms
        if let b = bound {
            if let r = b.remaining, budget == 0 || r < budget { budget = max(r, 1) }
            if let d = b.deadline {
                let l = Self.millisecondsUntil(d)
                if left == .max || l < left { left = l; length = b.lengthMs }
            }
        }
        setBudget(budget)
        if let r = bound?.remaining, r <= 0 { oe_lua_budget_restore(state, 0) }
        deadlineLengthMs = length
        oe_lua_deadline_restore(state, left, length)
        logUsed = 0
    }

    private static func millisecondsUntil(_ d: ContinuousClock.Instant) -> Int64 {
        let c = ContinuousClock.now.duration(to: d).components
        let ms = c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
        return max(ms, 0)
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
        // A new command's first hook gets the per-command budget and deadline (cut to what a
        // script waiting for the command has left); a top-level evaluation the script's.
        // Nested entries of the same command share what is left.
        if let context, context.serial != lastBudgetSerial {
            startPeriod(instructions: limits.instructions, seconds: limits.maxSeconds, bound: scriptBounds[key])
            lastBudgetSerial = context.serial
        } else if context == nil && stack.isEmpty {
            startPeriod(instructions: limits.scriptInstructions, seconds: limits.scriptMaxSeconds, bound: nil)
            lastBudgetSerial = 0
        }
        // The outermost hook entry of a command a script called: what it spends is the script's.
        let outermostHook = context != nil && !stack.contains { $0.context != nil }
        let usedBefore = oe_lua_instructions_used(state)
        let outermost = stack.isEmpty || outermostHook
        stack.append(Frame(context: context))
        frames[key] = stack
        defer {
            if outermostHook, scriptBounds[key] != nil {
                scriptBounds[key]!.spent += max(oe_lua_instructions_used(state) - usedBefore, 0)
            }
            if outermost { flushDroppedLog() }
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
        case Int32(OE_LUA_ERR_DEADLINE), Int32(OE_LUA_ERR_BUDGET):
            // The limit's own text (naming the function that found it) and the traceback; a
            // command error that crossed keeps its code only if it was not the limit itself.
            let e = OrderError.fromLua(String(decoding: raw, as: UTF8.self))
            throw OrderError(e.code == .outOfMemory ? .outOfMemory : .script, e.message)
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
            log(arg(args, 0).stringValue ?? "")
            return .null
        case 3: return .int(try clock().now().seconds)
        case 4: return try advanceTestClock(args)
        case 5:
            guard let s = arg(args, 0).intValue else { throw OrderError.invalid("seconds", "oe.iso expects integer seconds") }
            return .string(try Self.timestamp(s, "oe.iso").iso8601)
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

    /// The times `oe.iso`, `oe.time` and `oe.clock.advance` accept: 0001-01-01 to 9999-12-31.
    static let timeRange: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    static func timestamp(_ seconds: Int64, _ function: String) throws(OrderError) -> Timestamp {
        guard timeRange.contains(seconds) else {
            throw OrderError(.invalid, "\(function): \(seconds) seconds is outside the supported times "
                + "\(timeRange.lowerBound) (0001-01-01T00:00:00Z) to \(timeRange.upperBound) (9999-12-31T23:59:59Z)",
                field: "seconds")
        }
        return Timestamp(seconds: seconds)
    }

    /// `oe.clock.advance{days, hours, minutes, seconds}`: every part an integer, the sum without
    /// overflow, the new time in the supported range.
    private func advanceTestClock(_ args: [JSON]) throws(OrderError) -> JSON {
        guard let c = testClock else { throw OrderError(.misuse, "oe.clock.advance works only in test mode (oe test)") }
        var total: Int64 = 0
        for (i, (name, unit)) in [("days", Int64(86_400)), ("hours", 3600), ("minutes", 60), ("seconds", 1)].enumerated() {
            guard let v = arg(args, i).intValue else {
                throw OrderError.invalid(name, "oe.clock.advance: \(name) must be an integer")
            }
            let (part, o1) = v.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { throw OrderError.invalid(name, "oe.clock.advance: \(v) \(name) is out of range") }
            total = sum
        }
        let (target, o) = c.now().seconds.addingReportingOverflow(total)
        guard !o else { throw OrderError.invalid("seconds", "oe.clock.advance: \(total) seconds is out of range") }
        _ = try Self.timestamp(target, "oe.clock.advance")
        c.advance(seconds: total)
        return .string(c.now().iso8601)
    }

    /// `oe.log` and `print`: at most `limits.logBytes` per command or evaluation; the rest is
    /// counted and reported in one line when the command or evaluation ends.
    private func log(_ line: String) {
        let cap = limits.logBytes
        let n = line.utf8.count
        guard cap > 0 else { return logSink(line) }
        if logUsed + n <= cap {
            logUsed += n
            logSink(line)
            return
        }
        let room = max(cap - logUsed, 0)
        if room > 0 {
            var cut = room
            let u = Array(line.utf8)
            while cut > 0 && (u[cut] & 0xC0) == 0x80 { cut -= 1 } // whole characters only
            logSink(String(decoding: u[0..<cut], as: UTF8.self))
            logUsed += cut
            logDropped += n - cut
        } else {
            logDropped += n
        }
    }

    private func flushDroppedLog() {
        guard logDropped > 0 else { return }
        let d = logDropped
        logDropped = 0
        logSink("oe.log: \(d) bytes of log output dropped (the cap is \(limits.logBytes) bytes per command or script)")
    }

    private func clock() throws(OrderError) -> any Clock {
        guard let e = engineRef else { throw OrderError(.misuse, "the engine is closed") }
        return e.configuration.clock
    }

    /// `oe.call`: inside a hook, in the hook's transaction; from a script, as a top-level
    /// command of its own, with the interpreter lock given up while it runs and its hooks on a
    /// fresh budget (the script's budget is restored afterwards).
    private func nativeCall(_ name: String, _ params: JSON) throws(OrderError) -> JSON {
        if name.utf8.contains(0) {
            throw OrderError(.invalid, "oe.call: the command name \(Self.quoted(name)) contains a NUL byte")
        }
        try Self.refuseNUL(params, path: "")
        let key = currentThreadKey()
        if let ctx = frames[key]?.last?.context {
            do { return try ctx.call(name, params) } catch let e as OrderError { throw e } catch {
                throw OrderError(.storage, "\(error)")
            }
        }
        guard let engine = engineRef else { throw OrderError(.misuse, "the engine is closed") }
        // The command's guards and hooks spend the script's budget and time (at most their own).
        let (limit, remaining) = (budgetLimit, oe_lua_budget_remaining(state))
        let leftMs = oe_lua_deadline_left(state)
        let lengthMs = deadlineLengthMs
        let deadline: ContinuousClock.Instant? = leftMs == .max ? nil : .now + .milliseconds(leftMs)
        scriptBounds[key] = ScriptBound(remaining: limit > 0 ? remaining : nil, deadline: deadline, lengthMs: lengthMs)
        let (savedLog, savedDropped) = (logUsed, logDropped)
        let depth = lock.releaseAll()
        defer {
            lock.reacquire(depth)
            let spent = scriptBounds[key]?.spent ?? 0
            scriptBounds[key] = nil
            budgetLimit = limit
            oe_lua_set_budget(state, limit)
            oe_lua_budget_restore(state, limit > 0 ? remaining - spent : remaining)
            deadlineLengthMs = lengthMs
            oe_lua_deadline_restore(state, deadline.map(Self.millisecondsUntil) ?? .max, lengthMs)
            (logUsed, logDropped) = (savedLog, savedDropped)
            lastBudgetSerial = 0
        }
        return try engine.call(name, params, actor: "lua")
    }

    /// A string as Lua source would write it, so NUL and control bytes are visible.
    static func quoted(_ s: String, limit: Int = 80) -> String {
        var out = "\""
        for (i, b) in s.utf8.enumerated() {
            if i >= limit { out += "…"; break }
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out += String(UnicodeScalar(b))
            default: out += "\\" + String(b)
            }
        }
        return out + "\""
    }

    /// NUL bytes in parameters are refused (C hosts and error texts would cut the string there).
    static func refuseNUL(_ v: JSON, path: String) throws(OrderError) {
        switch v {
        case .string(let s):
            if s.utf8.contains(0) {
                throw OrderError.invalid(path.isEmpty ? "params" : path, "\(Self.quoted(s)) contains a NUL byte")
            }
        case .array(let a):
            for (i, e) in a.enumerated() { try refuseNUL(e, path: "\(path)[\(i)]") }
        case .object(let o):
            for m in o.members {
                if m.key.utf8.contains(0) {
                    throw OrderError.invalid(path.isEmpty ? "params" : path, "the key \(Self.quoted(m.key)) contains a NUL byte")
                }
                try refuseNUL(m.value, path: path.isEmpty ? m.key : "\(path).\(m.key)")
            }
        default: break
        }
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
        // A table in Lua: code, code_name, message and field; every byte of the message crosses
        // with its length (it may hold NUL bytes it echoes).
        var o: JSONObject = ["code": .int(Int64(e.code.rawValue)), "code_name": .string(e.code.name),
                             "message": .string(e.message)]
        if let field = e.field { o["field"] = .string(field) }
        let bytes = LuaValueCodec.encode(.object(o))
        guard let p = malloc(max(bytes.count, 1))?.assumingMemoryBound(to: CChar.self) else { return 1 }
        _ = bytes.withUnsafeBytes { b in memcpy(p, b.baseAddress!, bytes.count) }
        out?.pointee = p
        outLen?.pointee = bytes.count
        return 2
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
