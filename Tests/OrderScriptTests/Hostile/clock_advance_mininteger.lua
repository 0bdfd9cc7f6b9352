-- expect: out of range|outside the supported times
return oe.clock.advance{days = math.mininteger}
