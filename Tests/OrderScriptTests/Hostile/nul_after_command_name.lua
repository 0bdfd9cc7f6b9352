-- expect: contains a NUL byte
return oe.call('order.get\0secret', {order = 1})
