import FalCore
@_exported import FalRuntime
