-- expect: instruction budget|deadline
load('while true do end')()
