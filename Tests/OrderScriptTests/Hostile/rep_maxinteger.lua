-- expect: string.rep: result of 9223372036854775807 bytes exceeds the memory cap of
return string.rep('x', math.maxinteger)
