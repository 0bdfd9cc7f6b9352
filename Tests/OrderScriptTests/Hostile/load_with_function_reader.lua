-- expect: only source text
load(function() return nil end)
