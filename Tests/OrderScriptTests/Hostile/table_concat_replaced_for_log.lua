-- expect: done
table.concat = function() error('hijacked') end print('a', 'b') error('done')
