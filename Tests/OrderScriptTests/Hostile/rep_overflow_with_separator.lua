-- expect: string.rep: result of more than
return string.rep('ab', 2^62, 'cd')
