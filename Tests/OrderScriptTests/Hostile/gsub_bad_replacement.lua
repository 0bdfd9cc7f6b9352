-- expect: invalid use of
return ('x'):gsub('x', '%z')
