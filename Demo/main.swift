import FalSDK
import Foundation

// `make demo`: calls the four seed endpoints through the generated SDK against the emulator (or, with
// --live and FAL_KEY, against fal), showing queue progress and logs, auto-upload of a local image, a
// validation error caught before any request, and writing every output into demo-output/.

let options: DemoOptions
do {
    options = try DemoOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    print("fal-demo: \(error)")
    exit(2)
}

let configuration: FalConfiguration
let emulatorKey = "emulator-demo-key"
if options.live {
    configuration = .fromEnvironment()
    guard configuration.credentials != nil else {
        print("fal-demo: --live needs FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET) in the environment")
        exit(2)
    }
} else {
    configuration = FalConfiguration(key: emulatorKey, hosts: .emulator(options.baseURL!))
}

// The platform's default transport: libcurl's HTTPTransport, or URLSessionTransport where libcurl is absent.
let fal = FalClient(configuration: configuration)
let transportName = String(describing: type(of: fal.transport))
print(options.live
    ? "Calling the real fal service over \(transportName) (this spends credits)."
    : "Calling the fal emulator at \(options.baseURL!) over \(transportName).")
do {
    let output = try OutputWriter(path: options.outputDirectory)
    let probe = options.live ? nil : options.baseURL.map { EmulatorProbe(baseURL: $0, key: emulatorKey) }
    let demo = DemoScenarios(fal: fal, output: output, imagePath: options.imagePath, probe: probe)
    try await demo.run()
    print("\nDone. Outputs are in \(output.directory.path)/")
} catch {
    print("\nfal-demo failed: \(error)")
    exit(1)
}
