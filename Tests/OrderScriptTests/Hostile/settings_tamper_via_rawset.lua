-- expect: (any clear error, or a harmless result)
rawset(oe, 'call', function() return 1 end) return oe.orders.count()
