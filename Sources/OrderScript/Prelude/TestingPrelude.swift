import OrderCore
import OrderEngine

/// Helpers for workflow tests (`oe test`), loaded into the sandbox in test mode only:
/// `test(name, fn)`, `expect(cond, what)`, `expect_eq(actual, expected, what)`,
/// `expect_error(fn, pattern)` and `new_order{…}`. A failed expectation raises an error whose
/// text starts with the test file's `file:line` and shows expected against actual.
enum TestingPrelude {
    static let source = #"""
local tests = {}
local names = {}

function test(name, fn)
  if type(name) ~= "string" or type(fn) ~= "function" then error("test(name, fn): a name and a function", 2) end
  if names[name] then error("test '" .. name .. "' is defined twice", 2) end
  names[name] = true
  tests[#tests + 1] = { name = name, fn = fn }
end

local function show(v, depth)
  depth = depth or 0
  if v == oe.null then return "null" end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  if depth > 3 then return "{…}" end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  local n = #v
  for _, k in ipairs(keys) do
    if math.type(k) == "integer" and k >= 1 and k <= n then
      parts[#parts + 1] = show(v[k], depth + 1)
    else
      parts[#parts + 1] = tostring(k) .. " = " .. show(v[k], depth + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function expect(cond, what)
  if not cond then error("expectation failed" .. (what and (": " .. tostring(what)) or ""), 2) end
end

function expect_eq(actual, expected, what)
  if not deep_eq(actual, expected) then
    error((what and (tostring(what) .. ": ") or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

function expect_error(fn, pattern)
  local ok, err = pcall(fn)
  if ok then
    error("expected an error" .. (pattern and (" matching '" .. pattern .. "'") or "") .. ", but the call succeeded", 2)
  end
  if pattern and not tostring(err):find(pattern) then
    error("expected an error matching '" .. pattern .. "', got: " .. tostring(err), 2)
  end
  return err
end

-- Creates an order (default: 2 × coffee at 179 kr. and 1 mug at 129 kr., shipping with GLS)
-- and authorises it in full (method visa) unless authorize = false; returns the order object.
function new_order(t)
  t = t or {}
  local o = oe.orders.create({
    customer = t.customer or { name = "Test Kunde", email = "kunde@example.dk", language = t.language or "da",
                               delivery_address = { street = "Testvej 1", postal_code = "8000", city = "Aarhus C" } },
    lines = t.lines or {
      { sku = "KAF", name = "Kaffe 1 kg", qty = 2, unit_price = 17900 },
      { sku = "KRUS", name = "Krus", qty = 1, unit_price = 12900 },
    },
    delivery = t.delivery or { method = "shipping", carrier = "GLS" },
    notify = t.notify,
    tags = t.tags,
  })
  if t.authorize ~= false then
    oe.call("payment.authorize", { order = o.order, amount = t.amount or o.total, method = t.method or "visa",
                                   reference = "test-" .. o.order })
  end
  return o:reload()
end

function __test_names()
  local out = {}
  for i, t in ipairs(tests) do out[i] = t.name end
  return out
end

function __run_test(i)
  tests[i].fn()
  return true
end
"""#
}

extension LuaHost {
    /// Turns on test mode: `oe.clock.advance` moves `clock`, and the test helpers are defined.
    public func enableTestMode(clock: ManualClock) throws(OrderError) {
        testClock = clock
        try eval(TestingPrelude.source, chunkname: "=testing")
    }
}
