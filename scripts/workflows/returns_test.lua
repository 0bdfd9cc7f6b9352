-- Workflow tests of returns over several invoices (run with: oe test scripts/).
-- No workflow beside this file: the tests capture by hand, so each invoice is one capture.

oe.settings.set { seller = { name = "Nordisk Kaffe ApS", address = "Vestergade 1, 8000 Aarhus C", vat_number = "DK13585628" } }

-- Two bags of coffee and a mug with 49 kr. freight, sent in two parcels and captured after
-- each: invoice 1 has the coffee and the freight, invoice 2 the mug.
local function two_invoice_order()
  local o = oe.orders.create {
    customer = { name = "Test Kunde", email = "kunde@example.dk",
                 delivery_address = { street = "Testvej 1", postal_code = "8000", city = "Aarhus C" } },
    lines = { { sku = "KAF", name = "Kaffe 1 kg", qty = 2, unit_price = 17900 },
              { sku = "KRUS", name = "Krus", qty = 1, unit_price = 12900 } },
    fees = { { kind = "shipping", name = "Fragt", amount = 4900 } },
    delivery = { method = "shipping", carrier = "GLS" },
  }
  o:authorize { amount = o.total, method = "visa", reference = "chk" }
  for _, sku in ipairs { "KAF", "KRUS" } do
    local s = o:ship { lines = { { sku = sku, qty = sku == "KAF" and 2 or 1 } } }
    oe.call("shipment.hand_over", { shipment = s.shipment })
    o:capture()
  end
  expect_eq(#o:reload().invoices, 2)
  return o
end

local function withdraw_all(o)
  return oe.returns.create { order = o.order, lines = { { sku = "KAF", qty = 2 }, { sku = "KRUS", qty = 1 } },
                             reason = "Fortrudt", withdrawal = true }
end

test("a withdrawal over two invoices is refunded with one credit note per invoice", function()
  local o = two_invoice_order()
  local r = withdraw_all(o)
  local res = oe.returns.refund(r.number)
  expect_eq(#res.credit_notes, 2, "one credit note per invoice")
  expect_eq(res.credit_notes[1].total, 2 * 17900 + 4900, "the coffee and the freight against invoice 1")
  expect_eq(res.credit_notes[2].total, 12900, "the mug against invoice 2")
  expect_eq(res.credited, o.total)
  local got = oe.returns.get(r.number)
  expect_eq(got.state, "refunded")
  expect_eq(got.refunded, o.total)
  expect_eq(o:reload().refunded, o.total)
  expect_eq(o.money_difference, 0)
end)

test("a declined refund leaves the return refund_failed and listed; the retry refunds it once", function()
  local o = two_invoice_order()
  local r = withdraw_all(o)
  oe.call("gateway.simulate", { order = o.order, operation = "refund", behaviour = "decline" })
  expect_error(function() oe.returns.refund(r.number) end, "declined")
  local got = oe.returns.get(r.number)
  expect_eq(got.state, "refund_failed")
  expect_eq(got.refunded, 0)
  local listed = false
  for _, d in ipairs(oe.returns.check(0).returns) do if d.number == r.number then listed = d.refund_failed end end
  expect(listed, "return.check lists the failed refund")
  oe.call("gateway.simulate", { order = o.order, operation = "refund", behaviour = "approve" })
  local res = oe.returns.refund(r.number)
  expect_eq(#res.credit_notes, 2)
  expect_eq(oe.returns.get(r.number).state, "refunded")
  expect_eq(o:reload().refunded, o.total, "refunded once, not twice")
  expect_eq(o.money_difference, 0)
  expect_error(function() oe.returns.refund(r.number) end, "refunded already")
end)

test("the freight is credited up to the cheapest standard delivery", function()
  oe.settings.set { standard_delivery_fee = { DKK = 3900 } }
  local o = two_invoice_order()
  local res = oe.returns.refund(withdraw_all(o).number)
  expect_eq(res.credited, o.total - 1000)
  expect_eq(res["return"].freight.withheld, 1000)
  expect_eq(o:reload().money_difference, 0)
end)
