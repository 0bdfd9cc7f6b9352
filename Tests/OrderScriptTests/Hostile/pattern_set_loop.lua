-- expect: instruction budget|deadline
local s = string.rep('z', 1000000) while true do s:find('[a-y%d%p]') end
