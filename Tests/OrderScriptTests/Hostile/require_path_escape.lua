-- expect: not a workflow module name
return require('../../../etc/passwd')
