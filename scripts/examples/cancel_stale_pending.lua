-- Example bulk job: cancel orders still waiting for payment ("Ikke modtaget") after 48 hours.
-- Run it with:  oe run scripts/examples/cancel_stale_pending.lua --db shop.sqlite
-- Prints how many orders were cancelled. Loaded as a workflow it also defines
-- cancel_stale_pending(hours) for other scripts and tests.

function cancel_stale_pending(hours)
  local cutoff = oe.iso(oe.now() - hours * 3600)
  local stale = {}
  oe.orders.each({ status = "pending_payment", created_to = cutoff }, function(order)
    stale[#stale + 1] = order
  end)
  local cancelled = 0
  for _, order in ipairs(stale) do
    local ok, err = pcall(order.cancel, order, "no payment within " .. hours .. " hours")
    if ok then cancelled = cancelled + 1 else oe.log("order " .. order.order .. ": " .. tostring(err)) end
  end
  return { cancelled = cancelled, cutoff = cutoff }
end

return cancel_stale_pending(48)
