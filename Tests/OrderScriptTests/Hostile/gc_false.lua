-- expect: __gc metamethod is not allowed
setmetatable({}, {__gc = false})
