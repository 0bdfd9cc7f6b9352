-- expect: nested deeper
local t = {} t.t = t return oe.call('order.count', t)
