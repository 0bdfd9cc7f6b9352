-- expect: bad argument
return string.match({}, 'x')
