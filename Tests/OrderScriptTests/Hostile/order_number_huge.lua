-- expect: does not exist|not found
-- code: not_found
return oe.call('order.get', {order = math.maxinteger})
