-- expect: instruction budget|deadline
local s = string.rep(' ', 10000000) .. '1' while true do tonumber(s) end
