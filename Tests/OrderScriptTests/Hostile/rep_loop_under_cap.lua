-- expect: instruction budget|deadline
while true do local s = string.rep('x', 8000000) end
