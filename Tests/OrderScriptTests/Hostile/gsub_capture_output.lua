-- expect: memory cap|not enough memory|instruction budget|deadline
return string.rep('x', 1000000):gsub('(x)', '%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1%1')
