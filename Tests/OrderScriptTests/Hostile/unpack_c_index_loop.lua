-- expect: instruction budget|deadline
local t = setmetatable({}, {__index = tostring}) while true do table.unpack(t, 1, 100000) end
