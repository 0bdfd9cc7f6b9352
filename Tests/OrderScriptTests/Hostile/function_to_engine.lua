-- expect: cannot pass a function
return oe.call('order.count', {status = print})
