-- expect: string.rep: result of
return ('ab'):rep(math.maxinteger)
