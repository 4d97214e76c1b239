@_exported import FalCore
