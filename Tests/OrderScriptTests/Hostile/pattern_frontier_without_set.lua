-- expect: missing '['
return ('aa'):find('%fa')
