-- expect: instruction budget|deadline
local s = string.rep('1', 10000000) while true do tonumber(s, 2) end
