-- expect: instruction budget|deadline|invalid format
local f = string.rep('b', 10000000) while true do string.packsize(f) end
