-- expect: instruction budget|deadline
while true do local s = string.rep('', math.maxinteger) end
