-- expect: instruction budget|deadline
xpcall(function() while true do end end, function() oe.call('settings.set', {order_number_start = 99}) return 'x' end) return 'escaped'
