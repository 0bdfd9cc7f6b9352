import COrderEngineABI

/// Fails the build when an export's signature drifts from include/orderengine.h: each pair
/// must have the same Swift type, or the generic parameter cannot be inferred.
private func same<T>(_ header: T, _ export: T) {}

private func abiCheck() {
    same(COrderEngineABI.oe_open, oeOpen)
    same(COrderEngineABI.oe_close, oeClose)
    same(COrderEngineABI.oe_call, oeCall)
    same(COrderEngineABI.oe_errmsg, oeErrmsg)
    same(COrderEngineABI.oe_errjson, oeErrjson)
    same(COrderEngineABI.oe_alloc, oeAlloc)
    same(COrderEngineABI.oe_script_load, oeScriptLoad)
    same(COrderEngineABI.oe_script_eval, oeScriptEval)
    same(COrderEngineABI.oe_set_port, oeSetPort)
    same(COrderEngineABI.oe_free, oeFree)
    same(COrderEngineABI.oe_version, oeVersion)
    same(COrderEngineABI.oe_version_number, oeVersionNumber)
    _ = (OE_VERSION_NUMBER, OE_OK, OE_NOMEM)
}
