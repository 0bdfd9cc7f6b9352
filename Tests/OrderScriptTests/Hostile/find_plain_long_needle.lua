-- expect: instruction budget|deadline
local s = string.rep('a', 8000000) local n = string.rep('a', 4000000) .. 'b' while true do s:find(n, 1, true) end
