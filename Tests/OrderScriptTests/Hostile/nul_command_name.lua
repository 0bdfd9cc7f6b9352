-- expect: contains a NUL byte
return oe.call('\0' .. string.rep('x', 100))
