-- Tests of the default Danish workflow (run with: oe test scripts/).

oe.settings.set { mail_copy_to = "ordrer@shop.dk",
  seller = { name = "Nordisk Kaffe ApS", address = "Vestergade 1, 8000 Aarhus C", vat_number = "DK13585628" } }

test("captures what left the house when the carrier collects it", function()
  local o = new_order()
  local s = o:ship()
  o:set_status("shipped")
  expect_eq(o:reload().captured, 0, "nothing captured while the parcel is in the house")
  oe.call("shipment.hand_over", { shipment = s.shipment })
  o:reload()
  expect_eq(o.captured, o.total)
  expect_eq(o.payment_state, "captured")
  expect_eq(#o.invoices, 1, "an invoice for the captured goods")
end)

test("a partial shipment captures only what left", function()
  local o = new_order()
  local s = o:ship { lines = { { sku = "KAF", qty = 1 } } }
  oe.call("shipment.hand_over", { shipment = s.shipment })
  o:reload()
  expect_eq(o.captured, 17900)
  expect_eq(o.payment_state, "partially_captured")
  expect_eq(o.fulfilment_state, "partially_shipped")
end)

test("the setting turns automatic capture off", function()
  oe.settings.auto_capture_on_hand_over = false
  local o = new_order()
  o:ship()
  o:hand_over()
  expect_eq(o:reload().captured, 0)
  o:capture()
  expect_eq(o:reload().captured, o.total)
end)

test("an expired authorisation moves the order to payment_problem and tells the shop", function()
  local o = new_order { method = "visa" }
  oe.clock.advance { days = 8 }
  oe.call("gateway.simulate", { order = o.order, behaviour = "expired" })
  o:ship()
  o:set_status("shipped")
  o:hand_over()
  o:reload()
  expect_eq(o.status, "payment_problem")
  expect_eq(o.captured, 0)
  local found = false
  for _, m in ipairs(oe.outbox.list { order = o.order }) do
    if m.to == "ordrer@shop.dk" and m.subject:find("Betaling udløbet") then found = true end
  end
  expect(found, "a message to the shop about the expired payment")
end)

test("without a shop copy address the order still moves to payment_problem", function()
  oe.settings.set { mail_copy_to = oe.null }
  local o = new_order { method = "visa" }
  oe.clock.advance { days = 8 }
  oe.call("gateway.simulate", { order = o.order, behaviour = "expired" })
  o:ship()
  o:hand_over()
  expect_eq(o:reload().status, "payment_problem")
end)

test("a declined capture leaves the order as it was, ready to retry", function()
  local o = new_order()
  oe.call("gateway.simulate", { order = o.order, behaviour = "decline" })
  o:ship()
  o:set_status("shipped")
  o:hand_over()
  o:reload()
  expect_eq(o.status, "shipped")
  expect_eq(o.captured, 0)
  oe.call("gateway.simulate", { order = o.order, behaviour = "approve" })
  o:capture()
  expect_eq(o:reload().captured, o.total)
end)

test("click-and-collect: ready_for_pickup e-mails, hand-over in the shop captures and marks picked up", function()
  local o = new_order { delivery = { method = "pickup", location = "Butikken, Aarhus" } }
  o:set_status("ready_for_pickup")
  local mails = oe.outbox.list { order = o.order }
  local ready = false
  for _, m in ipairs(mails) do if m.subject:find("klar til afhentning") then ready = true end end
  expect(ready, "the customer is told the order is ready")
  local s = o:ship { method = "pickup" }
  expect_eq(o:reload().captured, 0, "nothing captured before the customer has the goods")
  oe.call("shipment.hand_over", { shipment = s.shipment })
  o:reload()
  expect_eq(o.status, "picked_up")
  expect_eq(o.payment_state, "captured")
end)

test("prepayable lines may be captured before anything ships", function()
  local o = new_order { lines = {
    { sku = "KRUS", name = "Krus", qty = 1, unit_price = 12900 },
    { sku = "GRAV", name = "Gravering", qty = 1, unit_price = 9900, prepayable = true },
  } }
  local r = o:capture()
  expect_eq(r.captured, 9900)
  expect_error(function() o:capture(12900) end, "on_hand_over")
end)

test("freight and a discount code: the fee is captured with the first parcel, the invoice shows the discount", function()
  local o = oe.orders.create {
    customer = { name = "Test Kunde", email = "kunde@example.dk",
                 delivery_address = { street = "Testvej 1", postal_code = "8000", city = "Aarhus C" } },
    lines = { { sku = "KAF", name = "Kaffe 1 kg", qty = 2, unit_price = 17900 },
              { sku = "KRUS", name = "Krus", qty = 1, unit_price = 12900 } },
    fees = { { kind = "shipping", name = "Fragt", amount = 4900 } },
    discounts = { { code = "VINTER10", name = "Vinterrabat", percent = 1000, lines = { "KAF" } } },
    delivery = { method = "shipping", carrier = "GLS" },
  }
  expect_eq(o.discount_total, 3580)
  expect_eq(o.total, 2 * 17900 - 3580 + 12900 + 4900)
  o:authorize { amount = o.total, method = "visa", reference = "chk" }
  local s = o:ship { lines = { { sku = "KAF", qty = 2 } } }
  oe.call("shipment.hand_over", { shipment = s.shipment })
  o:reload()
  expect_eq(o.captured, 2 * 17900 - 3580 + 4900, "goods after discount plus the fee")
  local inv = oe.invoices.get(o.invoices[1].number)
  expect_eq(inv.lines[1].discount, 3580)
  expect_eq(inv.lines[2].kind, "fee")
  expect_eq(#oe.orders.find { discount_code = "vinter10" }, 1)
end)

test("an edit before shipment: fewer units, the surplus released, the authorisation kept, the capture at hand-over takes the new total", function()
  local o = new_order()
  local r = o:edit { set_qty = { { sku = "KAF", qty = 1 } }, reason = "Kunden ringede: kun én pose" }
  expect_eq(r.total, 17900 + 12900)
  expect_eq(r.authorized_surplus, 17900)
  o:reload()
  expect_eq(o.voided, 17900, "the simulator releases the surplus by a partial void")
  expect_eq(o.payment_state, "authorized", "the authorisation is not cancelled")
  local s = o:ship()
  oe.call("shipment.hand_over", { shipment = s.shipment })
  o:reload()
  expect_eq(o.captured, 17900 + 12900)
  local ok, err = pcall(function() o:edit { set_qty = { { sku = "KRUS", qty = 2 } }, reason = "for sent" } end)
  expect(not ok and tostring(err):find("already shipped") ~= nil, "a shipped line cannot be edited")
end)

test("a withdrawal: the goods come back, the refund covers goods and freight before the 14-day deadline", function()
  local o = oe.orders.create {
    customer = { name = "Test Kunde", email = "kunde@example.dk",
                 delivery_address = { street = "Testvej 1", postal_code = "8000", city = "Aarhus C" } },
    lines = { { sku = "KAF", name = "Kaffe 1 kg", qty = 2, unit_price = 17900 },
              { sku = "KRUS", name = "Krus", qty = 1, unit_price = 12900 } },
    fees = { { kind = "shipping", name = "Fragt", amount = 4900 } },
    delivery = { method = "shipping", carrier = "GLS" },
  }
  o:authorize { amount = o.total, method = "visa", reference = "chk" }
  local s = o:ship()
  o:set_status("shipped")
  oe.call("shipment.hand_over", { shipment = s.shipment })
  expect_eq(o:reload().captured, o.total)
  expect_error(function()
    oe.returns.create { order = o.order, lines = { { sku = "KAF", qty = 3 } }, reason = "Fortrudt", withdrawal = true }
  end, "at most 2")
  local r = oe.returns.create { order = o.order, lines = { { sku = "KAF", qty = 2 }, { sku = "KRUS", qty = 1 } },
                                reason = "Fortrudt", withdrawal = true }
  expect_eq(r.state, "created")
  oe.clock.advance { days = 12 }
  local due = false
  for _, d in ipairs(oe.returns.check(3).returns) do if d.number == r.number then due = not d.overdue end end
  expect(due, "the withdrawal is due within 3 days")
  expect_eq(oe.returns.receive(r.number).order_status, "returned")
  local cn = oe.returns.refund(r.number)
  expect_eq(cn.total, o.total, "goods and freight")
  expect_eq(oe.returns.get(r.number).state, "refunded")
  expect_eq(o:reload().refunded, o.total)
  expect_eq(o.money_difference, 0)
  expect_eq(#oe.returns.find { order = o.order }, 1)
  expect_error(function() oe.returns.refund(r.number) end, "refunded already")
end)
