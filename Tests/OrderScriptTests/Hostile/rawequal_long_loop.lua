-- expect: instruction budget|deadline
local a, b = string.rep('x', 10000000), string.rep('x', 9999999) .. 'x' while true do rawequal(a, b) end
