-- expect: instruction budget|deadline
for x in string.rep('a', 100000):gmatch(string.rep('a-', 10) .. 'b') do end
