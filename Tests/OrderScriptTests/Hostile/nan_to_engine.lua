-- expect: non-finite number (nan)
return oe.call('order.count', {limit = 0/0})
