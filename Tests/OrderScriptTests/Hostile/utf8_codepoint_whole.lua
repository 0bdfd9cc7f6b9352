-- expect: string slice too long
return utf8.codepoint(string.rep('a', 10000000), 1, -1)
