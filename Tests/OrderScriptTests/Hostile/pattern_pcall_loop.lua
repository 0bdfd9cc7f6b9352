-- expect: instruction budget|deadline
local s = string.rep('a', 10000) while true do pcall(string.find, s, string.rep('a-', 20) .. 'b') end
