-- expect: integer seconds
return oe.iso(1.5)
