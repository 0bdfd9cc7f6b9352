-- expect: instruction budget|deadline|memory cap|not enough memory
local t = setmetatable({}, {__len = function() return 2^40 end, __index = tostring}) return table.concat(t)
