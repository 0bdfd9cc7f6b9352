-- expect: memory cap|not enough memory|instruction budget|deadline
return string.rep('x', 1000000):gsub('x', string.rep('y', 100))
