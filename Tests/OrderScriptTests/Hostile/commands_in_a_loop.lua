-- expect: instruction budget|deadline
while true do oe.call('order.count') end
