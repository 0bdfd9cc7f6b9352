-- expect: attempt to index a nil value
os.exit(1)
