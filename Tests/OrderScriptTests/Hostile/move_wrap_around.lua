-- expect: destination wrap around
table.move({}, 1, math.maxinteger, 2)
