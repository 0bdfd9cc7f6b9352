-- expect: (any clear error, or a harmless result)
local co = coroutine.wrap(function() return oe.call('order.count', setmetatable({}, {__index = function() coroutine.yield() end})) end) return co()
