-- expect: instruction budget|deadline
local s = string.rep('a', 200000) while true do s:match('^(.-)b') end
