-- `require "orderengine"` from Debian's stock lua5.4 (LUA_CPATH points at the installed module).
local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; io.stderr:write("FAIL: " .. tostring(what) .. "\n") end
end

local oe = require "orderengine"

-- The database of a shop: in memory, or with OE_ABI_TEST_PG_URL (a PostgreSQL server) a new
-- database there, created with psql.
local created = 0
local function shop_db()
  local server = os.getenv("OE_ABI_TEST_PG_URL")
  if not server or server == "" then return ":memory:" end
  created = created + 1
  local name = string.format("oe_abi_lua_%d_%d", os.time() % 100000, created) .. tostring(math.random(1000000))
  assert(os.execute(string.format("psql '%s' -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE %s' >/dev/null", server, name)))
  local head, query = server:match("^([^?]*)(.*)$")
  return head:gsub("/[^/]*$", "/" .. name) .. query
end
check(oe.version() == "0.1.0", "version")
local e = oe.open(shop_db(), { actor = "lua5.4", simulate = true })
e:call("settings.set", { seller = { name = "Nordisk Kaffe ApS", address = "Vestergade 1, 8000 Aarhus C", vat_number = "DK13585628" } })
local o = e:call("order.create", {
  customer = { name = "Ib", email = "ib@example.dk" },
  lines = { { sku = "KAF", name = "Kaffe", qty = 2, unit_price = 17900 } },
  delivery = { method = "pickup", location = "Butikken" },
})
check(o.order == 1 and o.total == 35800 and math.type(o.total) == "integer", "create")
e:call("payment.authorize", { order = 1, amount = 35800, method = "dankort" })
local s = e:call("shipment.create", { order = 1 })
check(s.method == "pickup", "pickup shipment")
e:call("shipment.hand_over", { shipment = s.shipment })
local c = e:call("payment.capture", { order = 1 })
check(c.captured == 35800 and c.invoice == 1, "captured at pickup")
local ok, err = pcall(e.call, e, "order.get", { order = 7 })
check(not ok and tostring(err):find("error%[not_found%]"), err)
check(e:eval("return oe.orders.count()") == 1, "eval in the engine's sandbox")
check(e:call("order.count").count == 1, "call without params means {}")
e:close()
check(not pcall(e.call, e, "order.get", { order = 1 }), "closed engine raises")

-- Host ports in Lua: engine:set_port(name, fn); no simulator without simulate = true.
local shop = oe.open(shop_db())
local order = {
  customer = { name = "Ib", email = "ib@example.dk" },
  lines = { { sku = "KAF", name = "Kaffe", qty = 1, unit_price = 17900 } },
  delivery = { method = "shipping", carrier = "GLS" },
}
shop:call("order.create", order)
shop:call("payment.authorize", { order = 1, amount = 17900, method = "visa" })
local ok0, err0 = pcall(shop.call, shop, "shipment.create", { order = 1 })
check(not ok0 and tostring(err0):find("no carrier is configured", 1, true), err0)
local asked = {}
shop:set_port("carrier", function(req) asked.carrier = req.carrier; return { tracking = "GLS-LUA-" .. req.order } end)
shop:set_port("payment", function(req)
  asked[#asked + 1] = req.operation
  if req.operation == "lookup" then return { status = "unknown" } end
  return { status = "approved", reference = "lua-psp-" .. req.amount }
end)
check(shop:call("shipment.create", { order = 1 }).tracking == "GLS-LUA-1" and asked.carrier == "GLS", "carrier port in Lua")
shop:call("settings.set", { capture_policy = "anytime", seller = { name = "Nordisk Kaffe ApS", address = "Vestergade 1, 8000 Aarhus C", vat_number = "DK13585628" } })
local paid = shop:call("payment.capture", { order = 1 })
check(paid.reference == "lua-psp-17900" and asked[1] == "capture", "payment port in Lua")
shop:call("order.create", order)
shop:set_port("carrier", function(req) error("label printer jammed") end)
local ok1, err1 = pcall(shop.call, shop, "shipment.create", { order = 2 })
check(not ok1 and tostring(err1):find("error[port]", 1, true) and tostring(err1):find("label printer jammed", 1, true), err1)
shop:set_port("carrier", function(req) return nil, "no such postcode" end)
local ok2, err2 = pcall(shop.call, shop, "shipment.create", { order = 2 })
check(not ok2 and tostring(err2):find("no such postcode", 1, true), err2)
shop:set_port("carrier", function(req) return shop:call("order.count") end)
local ok3, err3 = pcall(shop.call, shop, "shipment.create", { order = 2 })
check(not ok3 and tostring(err3):find("misuse", 1, true), "re-entering from a port is misuse: " .. tostring(err3))
check(not pcall(shop.set_port, shop, "teleport", function() end), "unknown port name")
shop:set_port("carrier", nil)
check(not pcall(shop.call, shop, "shipment.create", { order = 2 }), "port removed: no carrier again")
check(shop:call("order.get", { order = 2 }).shipments[1] == nil, "nothing stored by the failed shipments")
shop:close()
print(passed .. " passed, " .. failed .. " failed")
os.exit(failed == 0 and 0 or 1)
