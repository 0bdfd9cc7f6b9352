-- expect: memory cap|not enough memory|instruction budget|deadline
local t = {} for i = 1, 3e6 do t['k' .. i] = i end return t
