-- expect: too many captures
return ('a'):rep(100):match(('(a)'):rep(40))
