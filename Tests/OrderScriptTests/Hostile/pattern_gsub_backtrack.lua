-- expect: instruction budget|deadline
return string.rep('a', 100000):gsub(string.rep('a*', 15) .. 'b', '')
