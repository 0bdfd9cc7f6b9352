-- expect: nested deeper than 100
local t = {} for i = 1, 101 do t = {t} end return oe.call('order.count', {x = t})
