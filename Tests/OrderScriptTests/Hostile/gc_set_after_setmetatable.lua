-- expect: done
local mt = {} local t = setmetatable({}, mt) mt.__gc = function() while true do end end t = nil for i = 1, 100000 do local _ = {} end error('done')
