-- expect: invalid conversion
return string.format('%999d', 1)
