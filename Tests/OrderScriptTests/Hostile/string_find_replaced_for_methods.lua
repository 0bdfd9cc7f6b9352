-- expect: done
string.find = function() error('hijacked') end assert(('abc'):find('b') == 2) error('done')
