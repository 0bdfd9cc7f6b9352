-- expect: contains a NUL byte
return oe.call('order.create', {customer = {name = 'a\0b', email = 'a@b.dk'}, lines = {}})
