-- expect: oe.time expects
return oe.time('\0' .. string.rep('A', 1000))
