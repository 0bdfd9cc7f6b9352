-- expect: no module
-- code: not_found
string.match = function() error('hijacked') end return require('x')
