-- expect: instruction budget|deadline
local co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() oe.call('settings.set', {order_number_start = 99}) end}) while true do end end) coroutine.resume(co) coroutine.close(co) return 'escaped'
