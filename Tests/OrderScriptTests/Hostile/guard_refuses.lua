-- expect: nej tak
oe.before('order.create', function() return false, 'nej tak' end) new_order()
