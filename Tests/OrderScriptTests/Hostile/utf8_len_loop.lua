-- expect: instruction budget|deadline
local s = string.rep('\xC3\xA6', 5000000) while true do utf8.len(s) end
