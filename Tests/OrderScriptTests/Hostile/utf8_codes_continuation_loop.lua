-- expect: instruction budget|deadline
local s = '\xC3' .. string.rep('\x80', 10000000) local f = utf8.codes(s) while true do pcall(f, s, 1) end
