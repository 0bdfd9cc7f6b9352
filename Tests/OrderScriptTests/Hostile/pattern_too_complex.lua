-- expect: pattern too complex
return string.rep('a', 1000):match(string.rep('a?', 300))
