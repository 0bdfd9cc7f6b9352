-- expect: instruction budget|deadline|memory cap|not enough memory
local t = setmetatable({}, {__index = tostring}) return table.concat(t, ',', 1, math.maxinteger)
