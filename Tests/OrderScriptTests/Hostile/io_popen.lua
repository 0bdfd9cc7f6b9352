-- expect: attempt to index a nil value
return io.popen('id'):read('a')
