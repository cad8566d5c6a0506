import GradFlow
print(GSL.version)
