-- expect: contains a NUL byte
return oe.call('order.count', {['\0'] = 1})
