-- expect: invalid value (at index 1)
return table.concat({}, '', 1, math.maxinteger)
