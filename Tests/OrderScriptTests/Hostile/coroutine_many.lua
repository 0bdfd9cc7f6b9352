-- expect: instruction budget|deadline|memory cap|not enough memory
local t = {} for i = 1, 1e7 do t[i] = coroutine.create(print) end
