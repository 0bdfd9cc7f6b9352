-- expect: __gc metamethod is not allowed
setmetatable({}, {__gc = function() error('in gc') end}) collectgarbage = nil local t = {} for i = 1, 2e5 do t[i % 100] = {i} end error('after gc')
