-- expect: unfinished capture
return ('aa'):match('(a')
