-- expect: instruction budget|deadline
while true do pcall(string.rep, 'x', 1e15) end
