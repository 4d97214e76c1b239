import FalEmulator
print("fal-emulator: not built yet")
