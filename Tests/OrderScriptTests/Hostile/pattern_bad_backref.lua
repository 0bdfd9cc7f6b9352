-- expect: invalid capture index
return ('aa'):find('(a)%2')
