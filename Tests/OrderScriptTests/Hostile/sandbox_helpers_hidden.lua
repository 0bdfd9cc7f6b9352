-- expect: attempt to index a nil value
return __oe_sandbox.charge(1e18, 'x')
