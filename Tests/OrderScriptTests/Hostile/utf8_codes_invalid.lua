-- expect: invalid UTF-8 code
for p, c in utf8.codes('ab\xff') do end
