-- expect: string.rep: result of
return string.rep('', 1000000000, 'x')
