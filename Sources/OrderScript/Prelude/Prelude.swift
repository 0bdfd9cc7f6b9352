/// The Lua side of the host: builds the sandbox and the `oe` API, and registers the entry
/// points the Swift host calls (`__oe_entry.eval`, `.load`, `.before`, `.event`).
///
/// It runs once per state with the full base library, keeps what it needs in locals, and
/// leaves user code only the sandbox environment `env`: base functions without `dofile`,
/// `loadfile`, `collectgarbage`; `load` for source text only, in `env`; the bounded string
/// (without `dump`, and a locked string metatable), table, math, utf8 and coroutine libraries
/// of CLuaBridge (sandboxlib.c, pattern.c), copied per sandbox (the prelude, the shared
/// environment, each workflow file); `require` of `.lua` files in the workflow folders only.
/// No io, os, debug or package; no `__gc`. Assigning a new global inside a hook or guard
/// raises an error. Kept as a Swift string so the library needs no resource files.
enum Prelude {
    static let source = #"""
local native = native
local _G = _G
_G.native = nil
local sandbox = __oe_sandbox
__oe_sandbox = nil
local load, error, type, setmetatable, getmetatable, rawset, rawget, select, tostring, pairs, ipairs =
      load, error, type, setmetatable, getmetatable, rawset, rawget, select, tostring, pairs, ipairs
local entry = __oe_entry
__oe_entry = nil

-- Every sandbox (the prelude, the shared environment, each workflow file) gets its own copies
-- of the bounded library tables, so replacing string.match in one changes nothing elsewhere.
local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end
local LIBRARIES = { "string", "table", "math", "utf8", "coroutine" }
local function add_libraries(t)
  for _, name in ipairs(LIBRARIES) do t[name] = copy(sandbox[name]) end
end
local string, table, math, utf8, coroutine = copy(sandbox.string), copy(sandbox.table), copy(sandbox.math),
                                             copy(sandbox.utf8), copy(sandbox.coroutine)

local NULL = native(0)

-- Natives (ids shared with LuaHost.native)
local N_CALL, N_LOG, N_NOW, N_ADVANCE, N_ISO, N_PARSE, N_REQUIRE, N_REGISTER, N_TESTMODE = 1, 2, 3, 4, 5, 6, 7, 8, 9

-- Methods on strings ("x"):find(…) use a private copy nobody else can reach.
getmetatable("").__index = copy(sandbox.string)
getmetatable("").__metatable = false

local env = {}
for _, k in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "type", "rawget", "rawlen",
                     "rawset", "getmetatable", "_VERSION" }) do
  env[k] = _G[k]
end
for k, f in pairs(sandbox.base) do env[k] = f end   -- tonumber, tostring, rawequal, xpcall, setmetatable
add_libraries(env)
env._G = env

-- Inside hooks and guards, assigning an undeclared global is a mistake (a missing `local`).
-- The hook depth lives in C, so a hook stopped by a limit still leaves it.
local hook_enter, in_hook = sandbox.hook_enter, sandbox.in_hook
setmetatable(env, {
  __newindex = function(t, k, v)
    if in_hook() then
      error("assignment to undeclared global '" .. tostring(k) .. "' inside a hook (declare it local)", 2)
    end
    rawset(t, k, v)
  end,
  __metatable = false,
})

-- The environment of one workflow file: its own library tables; every other global is the
-- shared environment's (reading and assigning).
local function workflow_env()
  local w = {}
  add_libraries(w)
  w._G = w
  return setmetatable(w, { __index = env, __newindex = env, __metatable = false })
end

local MAX_CHUNK = 16 * 1024 * 1024
local charge = sandbox.charge
env.load = function(chunk, name, mode, e)
  if type(chunk) ~= "string" then
    error("load: only source text can be loaded in the sandbox", 2)
  end
  if #chunk > MAX_CHUNK then
    error("load: a chunk of " .. #chunk .. " bytes exceeds the limit of " .. MAX_CHUNK .. " bytes", 2)
  end
  charge(#chunk, "load")
  return load(chunk, name, "t", e or env)
end

local loaded = {}
env.require = function(name)
  if type(name) ~= "string" or not name:match("^[%w_%-]+[%w_%.%-]*$") then
    error("require: '" .. tostring(name):gsub("%c", function(c) return "\\" .. c:byte() end) ..
          "' is not a workflow module name", 2)
  end
  if loaded[name] ~= nil then return loaded[name] end
  local m = native(N_REQUIRE, name)
  local f, err = load(m.source, m.chunkname, "t", env)
  if not f then error(err, 0) end
  local result = f(name)
  if result == nil then result = true end
  loaded[name] = result
  return result
end

local oe = {}
env.oe = oe
oe.null = NULL

local function log(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  native(N_LOG, table.concat(parts, "\t"))
end
oe.log = log
env.print = log

function oe.call(name, params)
  if type(name) ~= "string" then error("oe.call: the command name must be a string", 2) end
  if params ~= nil and type(params) ~= "table" then error("oe.call: params must be a table", 2) end
  return native(N_CALL, name, params or {})
end

function oe.now() return native(N_NOW) end
function oe.iso(seconds) return native(N_ISO, seconds or native(N_NOW)) end
function oe.time(iso) return native(N_PARSE, iso) end

local hooks, guards = {}, {}

function oe.on(event, fn)
  if type(event) ~= "string" then error("oe.on: the event name must be a string", 2) end
  if type(fn) ~= "function" then error("oe.on: the hook must be a function", 2) end
  local list = hooks[event]
  if not list then list = {}; hooks[event] = list; native(N_REGISTER, "on", event) end
  list[#list + 1] = fn
end

function oe.before(command, fn)
  if type(command) ~= "string" or command == "*" then error("oe.before: name one command (no wildcard)", 2) end
  if type(fn) ~= "function" then error("oe.before: the guard must be a function", 2) end
  local list = guards[command]
  if not list then list = {}; guards[command] = list; native(N_REGISTER, "before", command) end
  list[#list + 1] = fn
end

-- Order objects: the fields of order.get (or of an order.find row) plus methods.
local Order = {}
Order.__index = Order
Order.__name = "oe.order"
Order.__tostring = function(o)
  return "order " .. tostring(o.reference or o.order) .. " (" .. tostring(o.status) .. ", " ..
         tostring(o.payment_state) .. ", " .. tostring(o.fulfilment_state) .. ")"
end

local function wrap(t)
  if type(t) ~= "table" then return t end
  return setmetatable(t, Order)
end
oe.order_object = wrap

local function with_order(self, params)
  local p = {}
  if params then for k, v in pairs(params) do p[k] = v end end
  p.order = self.order
  return p
end

function Order:reload()
  local fresh = oe.call("order.get", { order = self.order })
  for k in pairs(self) do self[k] = nil end
  for k, v in pairs(fresh) do self[k] = v end
  return self
end

function Order:set_status(status, params)
  local p = with_order(self, params)
  p.status = status
  local r = oe.call("order.set_status", p)
  self.status = r.status
  self.version = r.version
  return r
end

function Order:set_notify(on) return oe.call("order.set_notify", { order = self.order, notify = on }) end
function Order:authorize(params) return oe.call("payment.authorize", with_order(self, params)) end
function Order:capture(amount)
  if type(amount) == "table" then return oe.call("payment.capture", with_order(self, amount)) end
  return oe.call("payment.capture", { order = self.order, amount = amount })
end
function Order:void() return oe.call("payment.void", { order = self.order }) end
function Order:cancel(reason) return oe.call("order.cancel", { order = self.order, reason = reason }) end
function Order:ship(params) return oe.call("shipment.create", with_order(self, params)) end
function Order:credit(params) return oe.call("credit_note.create", with_order(self, params)) end
function Order:edit(params) return oe.call("order.edit", with_order(self, params)) end
function Order:invoice(params) return oe.call("invoice.create", with_order(self, params)) end
function Order:timeline() return oe.call("order.timeline", { order = self.order }).events end

-- Hands over one shipment, or every shipment of the order still in the house.
function Order:hand_over(shipment)
  if shipment ~= nil then return oe.call("shipment.hand_over", { shipment = shipment }) end
  return oe.call("shipment.hand_over", { order = self.order }).shipments
end

function Order:deliver(shipment)
  if shipment ~= nil then return oe.call("shipment.deliver", { shipment = shipment }) end
  local full = oe.call("order.get", { order = self.order })
  local done = {}
  for _, s in ipairs(full.shipments) do
    if s.state == "handed_over" then done[#done + 1] = oe.call("shipment.deliver", { shipment = s.shipment }) end
  end
  return done
end

oe.orders = {}
function oe.orders.get(n) return wrap(oe.call("order.get", { order = n })) end
function oe.orders.create(params) return wrap(oe.call("order.create", params)) end
function oe.orders.count(filter) return oe.call("order.count", filter or {}).count end
function oe.orders.find(filter)
  local r = oe.call("order.find", filter or {})
  local list = {}
  for i, o in ipairs(r.orders) do list[i] = wrap(o) end
  return list, r.next
end
-- Calls fn(order) for every order the filter selects, page by page; returns how many.
function oe.orders.each(filter, fn)
  local f = {}
  for k, v in pairs(filter or {}) do f[k] = v end
  f.limit = f.limit or 200
  local count = 0
  repeat
    local r = oe.call("order.find", f)
    for _, o in ipairs(r.orders) do count = count + 1; fn(wrap(o)) end
    f.after = r.next
  until r.next == nil
  return count
end

-- orders.mass_update: with an action table, one engine command (batched commits, per-order
-- report); with a function, fn(order) runs for each selected order, each call on its own and a
-- failure recorded without stopping the rest. Returns the report.
function oe.orders.mass_update(filter, action)
  if type(action) == "table" then
    return oe.call("orders.mass_update", { filter = filter or {}, action = action })
  end
  if type(action) ~= "function" then error("oe.orders.mass_update: pass an action table or a function", 2) end
  local selected = {}
  oe.orders.each(filter, function(o) selected[#selected + 1] = o end)
  local report = { selected = #selected, ok = 0, failed = 0, skipped = 0, results = {} }
  for i, o in ipairs(selected) do
    local ok, result = pcall(action, o)
    if ok then
      report.ok = report.ok + 1
      report.results[i] = { order = o.order, ok = true, result = result }
    else
      report.failed = report.failed + 1
      report.results[i] = { order = o.order, ok = false, error = tostring(result) }
    end
  end
  return report
end

oe.status = {}
function oe.status.define(def) return oe.call("status.define", def) end
function oe.status.list() return oe.call("status.list", {}).statuses end

oe.settings = setmetatable({
  get = function() return oe.call("settings.get", {}) end,
  set = function(t) return oe.call("settings.set", t) end,
}, {
  __index = function(_, k)
    if type(k) ~= "string" then return nil end
    return oe.call("settings.get", { key = k })[k]
  end,
  __newindex = function(_, k, v) oe.call("settings.set", { [k] = v }) end,
})

oe.invoices = {}
function oe.invoices.get(number, kind) return oe.call("invoice.get", { number = number, kind = kind or "invoice" }) end
function oe.invoices.credit_note(number) return oe.call("invoice.get", { number = number, kind = "credit_note" }) end
function oe.invoices.find(filter) return oe.call("invoice.find", filter or {}).documents end

oe.returns = {}
function oe.returns.create(t) return oe.call("return.create", t) end
function oe.returns.receive(number) return oe.call("return.receive", { ["return"] = number }) end
function oe.returns.refund(number, amount) return oe.call("return.refund", { ["return"] = number, amount = amount }) end
function oe.returns.get(number) return oe.call("return.get", { ["return"] = number }) end
function oe.returns.find(filter) return oe.call("return.find", filter or {}).returns end
function oe.returns.check(days) return oe.call("return.check", { days = days }) end

oe.outbox = {}
function oe.outbox.list(params) return oe.call("outbox.list", params or {}).messages end

oe.clock = {}
function oe.clock.advance(t)
  if type(t) ~= "table" then error("oe.clock.advance: pass a table such as {days = 8}", 2) end
  return native(N_ADVANCE, t.days or 0, t.hours or 0, t.minutes or 0, t.seconds or 0)
end
function oe.test_mode() return native(N_TESTMODE) end

-- Entry points for the host.

local function chunk(source, chunkname)
  local f, err = load(source, chunkname, "t", env)
  if not f then error(err, 0) end
  return f
end

function entry.eval(source, chunkname)
  return (chunk(source, chunkname)())
end

-- Calls a global function of the sandbox by name (tools such as the REPL define theirs).
function entry.call(name, ...)
  local fn = env[name]
  if type(fn) ~= "function" then error("no function '" .. tostring(name) .. "'", 0) end
  return (fn(...))
end

function entry.load(source, chunkname)
  local f, err = load(source, chunkname, "t", workflow_env())
  if not f then error(err, 0) end
  f()
  return nil
end

local leave = setmetatable({}, { __close = sandbox.hook_leave })

function entry.before(command, params)
  local list = guards[command]
  if not list then return true end
  hook_enter()
  local _ <close> = leave
  for _, fn in ipairs(list) do
    local ok, reason = fn(params, command)
    if ok == false then
      return { ok = false, reason = reason ~= nil and tostring(reason) or ("refused by a guard on " .. command) }
    end
  end
  return true
end

-- The order of an event, loaded on first use: a hook that only looks at ev.name, ev.to or
-- ev.order.order costs no order.get. The first access to another field loads the order (as it
-- is at that moment, inside the command's transaction) and makes this a plain order object.
local Lazy = { __name = "oe.order", __tostring = function(o) return "order " .. tostring(rawget(o, "order")) end }
Lazy.__index = function(t, k)
  local m = Order[k]
  if m ~= nil then return m end
  local full = oe.call("order.get", { order = rawget(t, "order") })
  for key, v in pairs(full) do if rawget(t, key) == nil then rawset(t, key, v) end end
  setmetatable(t, Order)
  return rawget(t, k)
end

local function lazy_order(n)
  return setmetatable({ order = n }, Lazy)
end

function entry.event(ev)
  local list = hooks[ev.name]
  local any = hooks["*"]
  if not list and not any then return nil end
  ev.order = lazy_order(ev.order)
  hook_enter()
  local _ <close> = leave
  if list then for _, fn in ipairs(list) do fn(ev) end end
  if any then for _, fn in ipairs(any) do fn(ev) end end
  return nil
end
"""#
}
