-- expect: instruction budget|deadline|memory cap|not enough memory|too many
local t = {} for i = 1, 1e5 do t[i] = string.rep('y', 100) end while true do print(table.unpack(t)) end
