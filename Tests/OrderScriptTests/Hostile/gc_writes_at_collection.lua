-- expect: __gc metamethod is not allowed
setmetatable({}, {__gc = function() oe.call('settings.set', {order_number_start = 99}) end})
