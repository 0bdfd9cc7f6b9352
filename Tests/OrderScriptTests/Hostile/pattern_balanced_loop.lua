-- expect: instruction budget|deadline
local s = string.rep('(', 1000000) while true do s:find('%b()') end
