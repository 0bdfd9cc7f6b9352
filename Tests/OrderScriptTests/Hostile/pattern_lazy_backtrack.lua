-- expect: instruction budget|deadline
local s = string.rep('a', 100000) return s:find(string.rep('.-', 30) .. 'b')
