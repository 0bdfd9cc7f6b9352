-- expect: instruction budget|deadline|memory cap|not enough memory
local s = string.rep('x', 20000000) while true do print(s) end
