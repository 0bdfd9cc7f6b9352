-- expect: stack overflow|C stack
local function f() return coroutine.wrap(f)() end f()
