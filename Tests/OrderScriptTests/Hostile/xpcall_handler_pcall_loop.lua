-- expect: instruction budget|deadline
xpcall(function() while true do end end, function(e) while true do pcall(function() end) end end)
