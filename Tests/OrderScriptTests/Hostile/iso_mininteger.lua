-- expect: outside the supported times
return oe.iso(math.mininteger)
