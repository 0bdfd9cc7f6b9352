-- expect: no module
-- code: not_found
return require('socket.core')
