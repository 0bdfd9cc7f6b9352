-- expect: attempt to index a nil value
return __oe_entry.eval('return 1')
