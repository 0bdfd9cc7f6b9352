-- expect: ends with '%'
return ('a'):find('a%')
