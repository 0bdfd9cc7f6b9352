-- expect: instruction budget|deadline
oe.before('order.count', function() for i = 1, 1e6 do end end) while true do pcall(oe.call, 'order.count') end
