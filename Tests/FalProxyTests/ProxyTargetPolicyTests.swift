import FalProxy
import Testing

/// The target check on its own: what the proxy forwards and what it refuses, one case per hostile target.
@Suite("proxy target policy")
struct ProxyTargetPolicyTests {
    let policy = ProxyTargetPolicy()

    @Test("fal's own hosts and paths are accepted", arguments: [
        "https://queue.fal.run/fal-ai/flux/dev",
        "https://queue.fal.run/fal-ai/flux/requests/abc/status?logs=1",
        "https://fal.run/fal-ai/flux/dev",
        "https://FAL.RUN/fal-ai/flux/dev",
        "https://fal.run:443/fal-ai/flux/dev",
        "https://rest.fal.ai/storage/auth/token?storage_type=fal-cdn-v3",
        "https://rest.fal.ai/storage/upload/initiate?storage_type=gcs",
        "https://rest.fal.ai/tokens/",
        "https://v3.fal.media/files/upload",
    ])
    func accepted(_ url: String) throws {
        let target = try policy.check(url).get()
        #expect(ProxyTargetPolicy.falHosts.contains(target.host))
        #expect(target.pathAndQuery.hasPrefix("/"))
    }

    @Test("hostile targets are refused", arguments: [
        ("suffix match (fal-js accepts it)", "https://evilfal.run/fal-ai/flux/dev"),
        ("fal's name as a subdomain", "https://fal.run.evil.com/fal-ai/flux/dev"),
        ("userinfo hiding the host", "https://fal.run@evil.com/fal-ai/flux/dev"),
        ("userinfo with a password", "https://user:pass@fal.run/fal-ai/flux/dev"),
        ("userinfo, empty", "https://@fal.run/fal-ai/flux/dev"),
        ("IPv4 literal", "https://1.2.3.4/fal-ai/flux/dev"),
        ("IPv4 literal, decimal", "https://16909060/fal-ai/flux/dev"),
        ("IPv6 literal", "https://[::1]/fal-ai/flux/dev"),
        ("IPv6 mapped IPv4", "https://[::ffff:169.254.169.254]/latest/meta-data"),
        ("cloud metadata over http", "http://169.254.169.254/latest/meta-data/"),
        ("cloud metadata over https", "https://169.254.169.254/latest/meta-data/"),
        ("plain http to fal", "http://fal.run/fal-ai/flux/dev"),
        ("file scheme", "file:///etc/passwd"),
        ("gopher scheme", "gopher://fal.run/"),
        ("websocket scheme", "wss://fal.run/fal-ai/flux/dev"),
        ("IDN look-alike, unicode (Cyrillic a)", "https://f\u{0430}l.run/fal-ai/flux/dev"),
        ("IDN look-alike, punycode", "https://xn--fl-7kc.run/fal-ai/flux/dev"),
        ("fullwidth dot", "https://fal\u{FF0E}run/fal-ai/flux/dev"),
        ("trailing dot", "https://fal.run./fal-ai/flux/dev"),
        ("other port", "https://fal.run:8443/fal-ai/flux/dev"),
        ("backslash trick", "https://fal.run\\@evil.com/"),
        ("encoded at sign in host", "https://fal.run%40evil.com/"),
        ("space in URL", "https://fal.run /x"),
        ("CRLF injection", "https://fal.run/x\r\nHost: evil.com"),
        ("fragment", "https://fal.run/fal-ai/flux/dev#frag"),
        ("not proxied rest path (keys)", "https://rest.fal.ai/keys"),
        ("dot segments out of a path", "https://rest.fal.ai/tokens/../keys"),
        ("encoded dot segments", "https://rest.fal.ai/tokens/%2e%2e/keys"),
        ("encoded slash", "https://rest.fal.ai/tokens%2F..%2Fkeys"),
        ("download host, not an API", "https://storage.googleapis.com/falserverless/x.png"),
        ("empty host", "https:///fal-ai/flux/dev"),
        ("relative", "/fal-ai/flux/dev"),
    ])
    func refused(_ hostile: (label: String, url: String)) {
        guard case .failure(let refusal) = policy.check(hostile.url) else {
            Issue.record("\(hostile.label): \(hostile.url) was accepted")
            return
        }
        #expect(!refusal.reason.isEmpty)
    }

    @Test("narrowed to endpoints: the endpoint, its requests, nothing else on fal.run or queue.fal.run")
    func narrowed() {
        let narrow = ProxyTargetPolicy(allowedEndpoints: ["fal-ai/flux/dev"])
        #expect((try? narrow.check("https://queue.fal.run/fal-ai/flux/dev").get()) != nil)
        #expect((try? narrow.check("https://fal.run/fal-ai/flux/dev/stream").get()) != nil)
        #expect((try? narrow.check("https://queue.fal.run/fal-ai/flux/requests/r1/status").get()) != nil)
        #expect((try? narrow.check("https://rest.fal.ai/tokens/").get()) != nil, "storage and tokens are not endpoints")
        #expect((try? narrow.check("https://queue.fal.run/fal-ai/flux-pro").get()) == nil)
        #expect((try? narrow.check("https://queue.fal.run/fal-ai/flux/dev-other").get()) == nil)
        #expect((try? narrow.check("https://fal.run/fal-ai/illusion-diffusion").get()) == nil)
        #expect((try? narrow.check("https://fal.run/fal-ai/flux/dev/../../illusion-diffusion").get()) == nil)
    }

    @Test("a test mapping changes where targets go, never what is accepted")
    func upstreamMapping() throws {
        let upstreams = ProxyUpstreams.emulator("http://127.0.0.1:9999/")
        let target = try policy.check("https://queue.fal.run/fal-ai/flux/dev?x=1").get()
        #expect(upstreams.url(for: target) == "http://127.0.0.1:9999/queue/fal-ai/flux/dev?x=1")
        #expect(ProxyUpstreams.production.url(for: target) == "https://queue.fal.run/fal-ai/flux/dev?x=1")
        // The emulator's own address is not a target, mapping or not.
        #expect((try? policy.check("http://127.0.0.1:9999/queue/fal-ai/flux/dev").get()) == nil)
    }

    @Test("the Platform API: nothing by default; each group opens its own paths exactly, and nothing below them")
    func platformOperations() {
        let models = "https://api.fal.ai/v1/models?q=flux&limit=5"
        let usage = "https://api.fal.ai/v1/models/usage?endpoint_id=fal-ai/flux/dev"
        let deletion = "https://api.fal.ai/v1/models/requests/0a1b2c/payloads"
        func accepts(_ policy: ProxyTargetPolicy, _ url: String) -> Bool { (try? policy.check(url).get()) != nil }

        #expect(!accepts(policy, models), "the default proxy forwards nothing to api.fal.ai")
        let catalog = ProxyTargetPolicy(platformOperations: .catalog)
        #expect(accepts(catalog, models))
        #expect(accepts(catalog, "https://api.fal.ai/v1/models/pricing?endpoint_id=fal-ai/flux/dev"))
        #expect(accepts(catalog, "https://api.fal.ai/v1/models/pricing/estimate"))
        #expect(!accepts(catalog, usage), "account activity is a group of its own")
        #expect(!accepts(catalog, deletion))
        #expect(!accepts(catalog, "https://api.fal.ai/v1/models/x"), "a group's paths match exactly")
        #expect(!accepts(catalog, "https://api.fal.ai/v1/keys"))
        #expect(!accepts(catalog, "https://api.fal.ai/v1/models/../keys"))
        #expect(!accepts(catalog, "https://api.fal.ai.evil.com/v1/models"))
        #expect(!accepts(catalog, "http://api.fal.ai/v1/models"))

        let activity = ProxyTargetPolicy(platformOperations: .accountActivity)
        #expect(accepts(activity, usage))
        #expect(accepts(activity, "https://api.fal.ai/v1/models/requests/search?q=x"))
        #expect(!accepts(activity, models))
        #expect(!accepts(activity, deletion))

        let deletes = ProxyTargetPolicy(platformOperations: .payloadDeletion)
        #expect(accepts(deletes, deletion))
        #expect(!accepts(deletes, "https://api.fal.ai/v1/models/requests//payloads"), "the request id is one segment")
        #expect(!accepts(deletes, "https://api.fal.ai/v1/models/requests/a/b/payloads"))
        #expect(!accepts(deletes, "https://api.fal.ai/v1/models/requests/a/payloads/more"))

        // Listing the host by hand opens nothing more: the operations still decide on api.fal.ai.
        let listed = ProxyTargetPolicy(allowedHosts: ProxyTargetPolicy.falHosts.union(["api.fal.ai"]))
        #expect(!accepts(listed, models))
        #expect(accepts(ProxyTargetPolicy(platformOperations: .all), usage))
    }
}
