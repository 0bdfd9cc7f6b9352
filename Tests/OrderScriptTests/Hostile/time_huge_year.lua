-- expect: oe.time expects
return oe.time('99999999-01-01T00:00:00Z')
