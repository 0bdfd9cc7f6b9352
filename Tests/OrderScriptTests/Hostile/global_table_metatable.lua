-- expect: protected metatable
setmetatable(_G, {})
