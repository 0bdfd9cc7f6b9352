-- expect: undeclared global
oe.on('order.created', function(ev) leaked = true end) new_order()
