import Foundation

/// `fal-demo [--live] [--base-url URL] [--output DIR] [--image PATH]`.
struct DemoOptions {
    /// Call the real fal service with `FAL_KEY` instead of the emulator.
    var live = false
    /// The emulator's base URL (what `fal-emulator` printed), when not live.
    var baseURL: String?
    var outputDirectory = "demo-output"
    /// The local image uploaded through auto-upload.
    var imagePath = "Demo/Assets/pattern.png"

    static func parse(_ arguments: [String]) throws -> DemoOptions {
        var options = DemoOptions()
        var remaining = arguments[...]
        func value(for flag: String) throws -> String {
            guard let next = remaining.popFirst() else { throw DemoFailure("\(flag) needs a value") }
            return next
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--live": options.live = true
            case "--base-url": options.baseURL = try value(for: argument)
            case "--output": options.outputDirectory = try value(for: argument)
            case "--image": options.imagePath = try value(for: argument)
            case "--help", "-h":
                print("usage: fal-demo [--live] [--base-url URL] [--output DIR] [--image PATH]")
                exit(0)
            default: throw DemoFailure("unknown argument \(argument) (try --help)")
            }
        }
        if !options.live && options.baseURL == nil { throw DemoFailure("pass --base-url <emulator URL>, or --live with FAL_KEY set") }
        return options
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
