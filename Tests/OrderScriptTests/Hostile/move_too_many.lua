-- expect: too many elements to move
table.move({}, math.mininteger, -1, 1)
