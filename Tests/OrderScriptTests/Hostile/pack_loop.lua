-- expect: instruction budget|deadline
local t = {} for i = 1, 200 do t[i] = i end while true do table.pack(table.unpack(t)) end
