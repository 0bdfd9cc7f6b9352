-- expect: (any clear error, or a harmless result)
error(setmetatable({}, {__tostring = function() error('tostring bomb') end}))
