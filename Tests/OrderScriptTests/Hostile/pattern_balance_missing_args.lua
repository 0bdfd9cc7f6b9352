-- expect: missing arguments
return ('aa'):find('%b(')
