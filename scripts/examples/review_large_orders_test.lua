test("a large order is held until it is approved", function()
  local o = new_order { lines = { { sku = "MASKINE", name = "Espressomaskine", qty = 1, unit_price = 1499900 } } }
  local err = expect_error(function() o:set_status("processing") end, "needs a manual review")
  expect_eq(o:reload().status, "received", "the refused change rolled back")
  oe.call("order.tag", { order = o.order, add = { "godkendt" } })
  o:set_status("processing")
  expect_eq(o:reload().status, "processing")
end)

test("small orders pass", function()
  local o = new_order()
  o:set_status("processing")
  expect_eq(o:reload().status, "processing")
end)
