-- expect: instruction budget|deadline
return string.rep('a', 50000):match(string.rep('a*', 20) .. 'b')
