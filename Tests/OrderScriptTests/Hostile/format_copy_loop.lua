-- expect: instruction budget|deadline|memory cap|not enough memory
local s = string.rep('x', 8000000) while true do local _ = string.format('%s%s', s, s) end
