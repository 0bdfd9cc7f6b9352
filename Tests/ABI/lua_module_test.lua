-- `require "orderengine"` from Debian's stock lua5.4 (LUA_CPATH points at the installed module).
local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; io.stderr:write("FAIL: " .. tostring(what) .. "\n") end
end

local oe = require "orderengine"
check(oe.version() == "0.1.0", "version")
local e = oe.open(":memory:", { actor = "lua5.4" })
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
print(passed .. " passed, " .. failed .. " failed")
os.exit(failed == 0 and 0 or 1)
