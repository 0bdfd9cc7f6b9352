-- expect: attempt to index a nil value
return package.loadlib('libc.so.6', 'system')
