-- expect: must be an integer
return oe.clock.advance{days = 0.5}
