-- expect: instruction budget|deadline
while true do load('return 1') end
