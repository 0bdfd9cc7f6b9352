-- expect: memory cap|not enough memory|instruction budget|deadline
return string.format('%q', string.rep('\0', 20000000))
