-- expect: attempt to call a nil value
return native(1, 'order.count', {})
