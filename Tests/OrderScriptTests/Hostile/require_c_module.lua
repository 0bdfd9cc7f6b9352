-- expect: no module
return require('socket.core')
