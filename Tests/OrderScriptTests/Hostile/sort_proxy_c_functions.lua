-- expect: instruction budget|deadline|memory cap|not enough memory
local t = setmetatable({}, {__len = function() return 2^31 - 2 end, __index = tostring}) table.sort(t, rawequal)
