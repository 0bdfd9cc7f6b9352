-- expect: instruction budget|deadline
local s = string.rep('a', 10000000) while true do utf8.offset(s, -1) end
