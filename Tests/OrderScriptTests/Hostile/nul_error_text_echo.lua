-- expect: "a\0bbb
local ok, e = pcall(oe.call, 'a\0' .. string.rep('b', 5000)) error(e, 0)
