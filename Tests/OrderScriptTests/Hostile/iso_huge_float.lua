-- expect: integer seconds
return oe.iso(1e300)
