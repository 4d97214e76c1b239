@_exported import FalRuntime
