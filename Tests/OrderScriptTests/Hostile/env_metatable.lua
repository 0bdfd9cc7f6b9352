-- expect: protected metatable
setmetatable(_ENV, {})
