-- expect: instruction budget|deadline
local co = coroutine.create(function() end) coroutine.resume(co) while true do coroutine.resume(co) end
