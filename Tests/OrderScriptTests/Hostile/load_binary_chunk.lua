-- expect: binary
local f, e = load('\27Lua\84\0\25\147\r\n\26\n\4\8\8') assert(f, e)
