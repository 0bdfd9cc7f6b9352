-- expect: instruction budget|deadline
local s = string.rep('a', 10000000) while true do s:find('ab') end
