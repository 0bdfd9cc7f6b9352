-- expect: instruction budget
oe.on('order.created', function(ev) while true do end end) new_order()
