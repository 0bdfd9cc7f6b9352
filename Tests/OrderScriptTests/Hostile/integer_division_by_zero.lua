-- expect: divide by zero|n//0
return 1 // 0
