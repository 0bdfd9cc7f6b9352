-- expect: instruction budget|deadline
local a = string.rep('x', 10000000) local b = string.rep('x', 9999999) .. 'y' while true do local _ = (a < b) end
