-- expect: instruction budget|deadline
xpcall(error, function() while true do end end)
