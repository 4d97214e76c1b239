import Hummingbird
import NIOCore

/// Hummingbird's request context plus the connection, which failure injection needs to reset.
struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
