-- expect: missing ']'
return ('x'):match('[a')
