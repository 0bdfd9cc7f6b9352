-- expect: attempt to index a nil value
return os.getenv('HOME')
