-- expect: instruction budget|deadline
local s = string.rep(' ', 200000) .. 'x' while true do s:match('%s*$') end
