-- expect: instruction budget|deadline
local function h() return xpcall(function() while true do end end, h) end h()
