-- expect: instruction budget|deadline
while true do oe.log('x') end
