-- expect: __gc metamethod is not allowed
local mt = setmetatable({}, {__index = {__gc = true}}) setmetatable({}, mt) setmetatable({}, {__gc = print})
