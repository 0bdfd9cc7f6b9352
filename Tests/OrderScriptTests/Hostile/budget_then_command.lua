-- expect: instruction budget|deadline
pcall(function() while true do end end) return oe.call('order.count')
