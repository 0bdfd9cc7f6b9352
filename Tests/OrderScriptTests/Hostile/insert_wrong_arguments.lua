-- expect: wrong number of arguments
table.insert({}, 1, 2, 3)
