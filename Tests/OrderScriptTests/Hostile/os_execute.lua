-- expect: attempt to index a nil value
os.execute('rm -rf /')
