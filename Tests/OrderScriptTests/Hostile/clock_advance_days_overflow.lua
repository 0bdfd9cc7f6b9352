-- expect: out of range
return oe.clock.advance{days = 2^62}
