import FalCodegen
print("fal-codegen: not built yet")
