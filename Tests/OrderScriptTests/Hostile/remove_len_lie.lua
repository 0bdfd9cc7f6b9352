-- expect: instruction budget|deadline
local t = setmetatable({}, {__len = function() return 2^53 end}) table.remove(t, 1)
