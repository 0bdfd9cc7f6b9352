-- expect: UTF-8
return oe.call('order.count', {text = '\255\254'})
