-- expect: not a workflow module name
return require('x\0y')
