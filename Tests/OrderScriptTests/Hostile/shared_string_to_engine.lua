-- expect: memory cap|not enough memory
local s = string.rep('x', 8 * 2^20) local t = {} for i = 1, 300 do t[i] = s end return oe.call('order.count', {text = t})
