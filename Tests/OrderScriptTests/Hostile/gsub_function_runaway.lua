-- expect: instruction budget|deadline
return string.rep('x', 1000):gsub('.', function() while true do end end)
