-- expect: instruction budget|deadline
local src = 'return ' .. string.rep('1+', 2000000) .. '1' while true do load(src) end
