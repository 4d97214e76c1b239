/// Placeholder until the runtime lands: configuration, transport and queue protocol live here.
public final class FalClient: Sendable {
    public init() {}
}
