-- expect: outside the supported times
return oe.clock.advance{days = 3000000}
