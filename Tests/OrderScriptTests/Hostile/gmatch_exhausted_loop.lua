-- expect: instruction budget|deadline
local it = string.rep('a', 100000):gmatch('a*') while true do it() end
