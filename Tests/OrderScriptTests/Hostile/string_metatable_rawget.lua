-- expect: bad argument
local mt = getmetatable('') return rawget(mt, '__index')
