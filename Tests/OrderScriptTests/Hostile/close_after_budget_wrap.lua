-- expect: instruction budget|deadline
local f = coroutine.wrap(function() local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end end) pcall(f) return 'escaped'
