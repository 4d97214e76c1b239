import FalSDK
print("fal-demo: not built yet")
