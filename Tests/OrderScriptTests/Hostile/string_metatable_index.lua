-- expect: attempt to index a boolean
return getmetatable('').__index
