-- expect: cannot pass a thread
return oe.call('order.count', {x = coroutine.create(print)})
