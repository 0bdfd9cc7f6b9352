-- expect: attempt to index a nil value
debug.sethook()
