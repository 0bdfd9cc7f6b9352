-- expect: oe.time expects
return oe.time(string.rep('9', 1000000))
