-- expect: string slice too long
return string.rep('x', 10000000):byte(1, -1)
