-- expect: contains a NUL byte
return oe.call('order.set_status', {order = 1, status = '\0' .. string.rep('a', 64)})
