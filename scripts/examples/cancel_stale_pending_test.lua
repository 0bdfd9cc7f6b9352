test("cancels only pending orders older than 48 hours", function()
  local old = new_order { authorize = false }
  local paid = new_order()
  oe.clock.advance { hours = 30 }
  local recent = new_order { authorize = false }
  oe.clock.advance { hours = 20 }
  local result = cancel_stale_pending(48)
  expect_eq(result.cancelled, 1)
  expect_eq(old:reload().status, "cancelled")
  expect_eq(recent:reload().status, "pending_payment")
  expect_eq(paid:reload().status, "received")
end)
