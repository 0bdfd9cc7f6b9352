-- expect: instruction budget|deadline
return #setmetatable({}, {__len = function() while true do end end})
