-- expect: bad argument
return select(-1e9, 1)
