-- expect: syntax levels|overflow|too many
assert(load('return ' .. string.rep('(', 100000)))
