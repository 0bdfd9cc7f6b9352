-- Example guard: orders at or above a limit need a manual review before they are processed.
-- A reviewer approves an order by tagging it "godkendt" (oe.call("order.tag", {order = N, add = {"godkendt"}})).

local LIMIT = 1000000 -- 10,000.00 kr. in øre

local function approved(order)
  for _, t in ipairs(order.tags or {}) do
    if t == "godkendt" then return true end
  end
  return false
end

oe.before("order.set_status", function(p)
  if p.status ~= "processing" and p.status ~= "shipped" then return true end
  local order = oe.orders.get(p.order)
  if order.total >= LIMIT and not approved(order) then
    return false, "order " .. order.reference .. " is above " .. (LIMIT // 100) ..
                  " kr. and needs a manual review (tag it 'godkendt' to approve)"
  end
  return true
end)
