-- expect: instruction budget|deadline
local s = string.rep('ab ', 300000) while true do s:gsub('%f[%w]%w+', 'x') end
