import COrderEngineABI
import OrderCore
import OrderEngine
import OrderScript
import OrderStore
#if canImport(Glibc)
import Glibc
#endif

// The oe_* functions of include/orderengine.h. Each checks its arguments before it touches
// anything, clears the calling thread's last error, and records a new one on failure.
// `ABICheck` below fails the build if a signature here drifts from the header.

@_cdecl("oe_open")
public func oeOpen(_ path: UnsafePointer<CChar>?, _ configJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    Handles.orphanErrors.clear()
    out?.pointee = nil
    if let refusal = reentered("oe_open") { Handles.orphanErrors.set(refusal); return MISUSE }
    guard let out else {
        Handles.orphanErrors.set("oe_open: out is NULL")
        return MISUSE
    }
    do {
        let p = try path.map { p throws(OrderError) in try utf8(p, "path") }
        let config = try configJSON.map { c throws(OrderError) in try JSONParser.parse(utf8(c, "config_json")) } ?? .null
        let handle = try openEngine(path: p, config: config)
        out.pointee = Handles.register(handle)
        return OK
    } catch {
        Handles.orphanErrors.set(error)
        return status(error)
    }
}

private func openEngine(path: String?, config: JSON) throws(OrderError) -> EngineHandle {
    let c = try ParamReader(config, path: "config")
    let workflows = try c.strings("workflows", maxCount: 100, maxLength: 4096) ?? []
    let durability = Durability(rawValue: try c.choice("durability", Durability.allCases.map(\.rawValue)) ?? "full")!
    let actor = try c.string("actor", maxLength: 100) ?? "api"
    let simulate = try c.bool("simulate") ?? false
    let gatewayName = try c.string("payment_gateway", maxLength: 100) ?? "host"
    let partialVoid = try c.bool("payment_partial_void") ?? false
    let ledger = try c.string("gateway_ledger", maxLength: 4096)
    var limits = ScriptLimits()
    if let l = try c.object("limits") {
        if let i = try l.int("instructions", in: 0...Int64.max) { limits.instructions = i; limits.scriptInstructions = i }
        if let m = try l.int("memory_bytes", in: 0...(1 << 40)) { limits.memoryBytes = Int(m) }
        if let t = try l.int("seconds", in: 0...86_400) { limits.maxSeconds = Double(t); limits.scriptMaxSeconds = Double(t) }
        try l.finish()
    }
    try c.finish()
    if ledger != nil && !simulate { throw OrderError.invalid("config.gateway_ledger", "needs \"simulate\": true (it is the simulated gateway's ledger)") }
    let gateway = try HostGateway(simulate: simulate, name: gatewayName, partialVoid: partialVoid, ledgerPath: ledger)
    let carrier = HostCarrier(simulate: simulate), mailer = HostMailer(simulate: simulate), clock = HostClock()
    var configuration = EngineConfiguration(clock: clock, gateway: gateway, carrier: carrier, mailer: mailer,
                                            durability: durability, defaultActor: actor)
    configuration.workflows = workflows
    configuration.scriptHost = LuaHost.factory(limits: limits)
    let engine = try Engine(path: path, configuration: configuration)
    return EngineHandle(engine: engine, gateway: gateway, carrier: carrier, mailer: mailer, clock: clock)
}

@_cdecl("oe_close")
public func oeClose(_ e: OpaquePointer?) -> Int32 {
    if let refusal = reentered("oe_close") {
        if let h = Handles.lookup(e) { h.errors.set(refusal) } else { Handles.orphanErrors.set(refusal) }
        return MISUSE
    }
    guard let e else { return OK }
    guard let h = Handles.remove(e) else {
        Handles.orphanErrors.set("oe_close: not an open engine")
        return MISUSE
    }
    // New calls now fail; wait for those in progress (and their callbacks) to return.
    h.gate.close()
    h.engine.close()
    return OK
}

/// The refusal of an oe_* call made from inside a port callback, or nil.
private func reentered(_ function: String) -> String? {
    guard let port = CallbackGuard.current else { return nil }
    return "\(function): called from inside the \(port) port callback; the engine cannot be re-entered from its own callbacks (answer the callback, then call)"
}

/// Resolves the handle and admits the call (`oe_close` waits for it), or records a misuse
/// error for this thread and returns nil. The caller must `h.gate.leave()` when done.
func enter(_ e: OpaquePointer?, _ function: String) -> EngineHandle? {
    if let refusal = reentered(function) {
        if let h = Handles.lookup(e) { h.errors.set(refusal) } else { Handles.orphanErrors.set(refusal) }
        return nil
    }
    if let h = Handles.lookup(e), h.gate.enter() {
        h.errors.clear()
        return h
    }
    Handles.orphanErrors.set(e == nil ? "\(function): the engine is NULL" : "\(function): not an open engine (closed?)")
    return nil
}

@_cdecl("oe_call")
public func oeCall(_ e: OpaquePointer?, _ command: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?,
                   _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    result?.pointee = nil
    guard let h = enter(e, "oe_call") else { return MISUSE }
    defer { h.gate.leave() }
    guard let command else { h.errors.set("oe_call: command is NULL"); return MISUSE }
    guard let result else { h.errors.set("oe_call: result_json is NULL"); return MISUSE }
    do throws(OrderError) {
        let name = try utf8(command, "command")
        let p = try params.map { p throws(OrderError) in try JSONParser.parse(utf8(p, "params_json")) } ?? .object(JSONObject())
        let r = try h.engine.call(name, p)
        guard let out = strdup(r.compactText) else { throw OrderError(.outOfMemory, "oe_call: no memory for the result") }
        result.pointee = out
        return OK
    } catch {
        h.errors.set(error)
        return status(error)
    }
}

@_cdecl("oe_errmsg")
public func oeErrmsg(_ e: OpaquePointer?) -> UnsafePointer<CChar>? {
    if let h = Handles.lookup(e) { return h.errors.current() }
    return Handles.orphanErrors.current()
}

@_cdecl("oe_errjson")
public func oeErrjson(_ e: OpaquePointer?) -> UnsafePointer<CChar>? {
    if let h = Handles.lookup(e) { return h.errors.currentJSON() }
    return Handles.orphanErrors.currentJSON()
}

@_cdecl("oe_script_load")
public func oeScriptLoad(_ e: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guard let h = enter(e, "oe_script_load") else { return MISUSE }
    defer { h.gate.leave() }
    guard let path else { h.errors.set("oe_script_load: path is NULL"); return MISUSE }
    do throws(OrderError) {
        guard let host = h.engine.luaHost else { throw OrderError(.misuse, "the engine has no Lua host") }
        try host.loadWorkflow(path: try utf8(path, "path"))
        return OK
    } catch {
        h.errors.set(error)
        return status(error)
    }
}

@_cdecl("oe_script_eval")
public func oeScriptEval(_ e: OpaquePointer?, _ source: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    result?.pointee = nil
    guard let h = enter(e, "oe_script_eval") else { return MISUSE }
    defer { h.gate.leave() }
    guard let source else { h.errors.set("oe_script_eval: lua_source is NULL"); return MISUSE }
    guard let result else { h.errors.set("oe_script_eval: result_json is NULL"); return MISUSE }
    do throws(OrderError) {
        guard let host = h.engine.luaHost else { throw OrderError(.misuse, "the engine has no Lua host") }
        let r = try host.eval(try utf8(source, "lua_source"), chunkname: "=oe_script_eval")
        guard let out = strdup(r.compactText) else { throw OrderError(.outOfMemory, "oe_script_eval: no memory for the result") }
        result.pointee = out
        return OK
    } catch {
        h.errors.set(error)
        return status(error)
    }
}

@_cdecl("oe_set_port")
public func oeSetPort(_ e: OpaquePointer?, _ port: UnsafePointer<CChar>?, _ fn: oe_port_fn?, _ userdata: UnsafeMutableRawPointer?) -> Int32 {
    guard let h = enter(e, "oe_set_port") else { return MISUSE }
    defer { h.gate.leave() }
    guard let port else { h.errors.set("oe_set_port: port is NULL"); return MISUSE }
    guard let name = String(validatingCString: port), let slot = h.slot(name) else {
        h.errors.set(OrderError.invalid("port", "expected \"payment\", \"carrier\", \"mail\" or \"clock\""))
        return ErrorCode.invalid.rawValue
    }
    slot.set(fn, userdata)
    return OK
}

@_cdecl("oe_free")
public func oeFree(_ p: UnsafeMutableRawPointer?) {
    free(p)
}

@_cdecl("oe_alloc")
public func oeAlloc(_ n: Int) -> UnsafeMutableRawPointer? {
    malloc(max(n, 1))
}

nonisolated(unsafe) private let versionString: UnsafeMutablePointer<CChar> = strdup(OE_VERSION)

@_cdecl("oe_version")
public func oeVersion() -> UnsafePointer<CChar>? { UnsafePointer(versionString) }

@_cdecl("oe_version_number")
public func oeVersionNumber() -> Int32 { Int32(OE_VERSION_NUMBER) }
