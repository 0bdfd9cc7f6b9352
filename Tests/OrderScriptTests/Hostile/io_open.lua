-- expect: attempt to index a nil value
io.open('/etc/passwd')
