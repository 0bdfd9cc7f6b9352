print("oe")
