-- expect: non-finite number (inf)
return math.huge
