-- expect: position out of bounds
table.insert({}, 5, 'x')
