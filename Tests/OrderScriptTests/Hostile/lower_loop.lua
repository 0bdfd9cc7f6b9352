-- expect: instruction budget|deadline
local s = string.rep('X', 10000000) while true do local _ = s:lower() end
