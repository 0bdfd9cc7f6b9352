-- expect: instruction budget|deadline
oe.before('settings.set', function() for i = 1, 1e6 do end end) while true do pcall(oe.call, 'settings.set', {}) end
