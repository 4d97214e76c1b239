import FalCore
