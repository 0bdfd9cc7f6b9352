-- The default Danish workflow.
--
-- 1. When a shipment leaves the house (the carrier collects it) or is handed to the customer at
--    click-and-collect, capture what the capture policy now allows: in Denmark money may be
--    drawn only for goods that have left. `settings.set {"auto_capture_on_hand_over": false}`
--    turns this off (capture by hand, as "Gennemfør" in the order).
-- 2. When a capture fails because the authorisation has expired, the order moves to
--    `payment_problem` ("Betalingsproblem") and the shop gets a message: ask the customer to pay again.
-- 3. Click-and-collect: `ready_for_pickup` e-mails the customer (the status template); handing the
--    goods over in the shop captures the payment and marks the order `picked_up`.

oe.status.define {
  key = "payment_problem",
  labels = { da = "Betalingsproblem", en = "Payment problem" },
  from = { "received", "processing", "shipped", "ready_for_pickup", "picked_up", "delivered" },
  to = { "processing", "shipped", "delivered", "picked_up", "cancelled" },
}

-- Errors that mean "nothing to capture now" rather than a failure.
local function nothing_to_capture(err)
  local text = tostring(err)
  return text:find("^error%[policy%]") ~= nil or text:find("^error%[conflict%]") ~= nil
end

-- The authorisation ran out: the order waits for a new payment, and the shop is told.
local function payment_expired(order)
  if order.status ~= "payment_problem" and order.status ~= "cancelled" then
    order:set_status("payment_problem", { note = "the authorisation expired before capture" })
  end
  -- The message goes to the shop's copy address; without one the status and timeline tell.
  if oe.settings.mail_copy_to == nil then
    oe.log("order " .. order.reference .. ": authorisation expired (no mail_copy_to set for the shop message)")
    return
  end
  oe.call("outbox.queue", {
    order = order.order,
    subject = "Betaling udløbet for ordre " .. order.reference,
    body = "Reservationen for ordre " .. order.reference .. " (" .. order.customer.name .. ", " ..
           order.customer.email .. ") er udløbet, så beløbet kunne ikke hæves.\n" ..
           "Bed kunden om at betale igen, eller annuller ordren.\n",
  })
end

oe.on("shipment.handed_over", function(ev)
  local order = ev.order
  if order.status == "cancelled" then return end
  if order.delivery.method == "pickup" and order.status == "ready_for_pickup" and order.fulfilment_state ~= "partially_shipped" then
    order:set_status("picked_up")
  end
  if not oe.settings.auto_capture_on_hand_over then return end
  local ok, err = pcall(order.capture, order)
  -- The engine refuses a capture on an expired authorisation before asking the gateway.
  if not ok and tostring(err):find("ask the customer to pay again", 1, true) then
    payment_expired(order:reload())
    return
  end
  if not ok and not nothing_to_capture(err) then error(err, 0) end
end)

oe.on("payment.capture_failed", function(ev)
  if ev.detail == nil or ev.detail.reason ~= "authorization_expired" then return end
  payment_expired(ev.order)
end)
