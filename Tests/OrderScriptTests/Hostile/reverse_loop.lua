-- expect: instruction budget|deadline
local s = string.rep('x', 10000000) while true do local _ = s:reverse() end
