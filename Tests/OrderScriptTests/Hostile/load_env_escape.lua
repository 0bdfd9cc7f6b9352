-- expect: (any clear error, or a harmless result)
local f = load('return io', 'x', 't', {})
assert(f() == nil)
