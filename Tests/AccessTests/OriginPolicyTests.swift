import Access
import Testing

/// CORS's decision (Docs/ACCESS.md, "Browsers"): allowed origins are exact https origins as a
/// browser writes them; a request without Origin is no CORS request; any other origin, or two
/// Origin fields, is refused; allowed answers and preflights carry the documented fields.
struct OriginPolicyTests {
    @Test(arguments: [
        ("https://console.example.com", "https://console.example.com"),
        ("HTTPS://Console.Example.COM", "https://console.example.com"),
        ("https://console.example.com:443", "https://console.example.com"),
        ("https://console.example.com:8443", "https://console.example.com:8443"),
        ("https://10.0.0.7:9000", "https://10.0.0.7:9000"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ])
    func anOriginIsWrittenAsABrowserSendsIt(text: String, origin: String) throws {
        #expect(try OriginPolicy.origin(text).get() == origin)
    }

    @Test(arguments: [
        "http://console.example.com", "console.example.com", "https://", "https://console.example.com/",
        "https://console.example.com/app", "https://*.example.com", "https://user@console.example.com",
        "https://console.example.com:0", "https://console.example.com:65536", "https://console.example.com:080",
        "https://console.example.com:", "https://a:b:443", "https://[zz]:1", "null", "https://console.example.com?x=1",
    ])
    func anythingButAnExactHTTPSOriginIsRefused(text: String) {
        guard case let .failure(rejection) = OriginPolicy.origin(text) else {
            Issue.record("\(text) was taken as an origin")
            return
        }
        #expect(rejection.description.contains(text))
    }

    @Test func aRequestIsDecidedByItsOriginFields() {
        let policy = OriginPolicy(allowed: ["https://console.example.com", "https://ops.example.com:8443"])
        #expect(policy.decide(originFields: []) == .noOrigin)
        #expect(policy.decide(originFields: ["https://console.example.com"]) == .allowed("https://console.example.com"))
        #expect(policy.decide(originFields: ["https://ops.example.com:8443"]) == .allowed("https://ops.example.com:8443"))
        for refused in ["https://evil.example.com", "http://console.example.com", "https://ops.example.com", "null",
                        "https://Console.example.com", "https://console.example.com/"] {
            guard case .refused = policy.decide(originFields: [refused]) else {
                Issue.record("\(refused) was not refused")
                continue
            }
        }
        guard case .refused = policy.decide(originFields: ["https://console.example.com", "https://console.example.com"]) else {
            Issue.record("two Origin fields were not refused")
            return
        }
        guard case let .refused(message) = OriginPolicy().decide(originFields: [String(repeating: "a", count: 5_000)]) else {
            Issue.record("a long origin was not refused")
            return
        }
        #expect(message.count < 200, "the refusal does not echo a long origin")
    }

    @Test func answersAndPreflightsCarryTheirFields() {
        let answer = OriginPolicy.answerHeaders(origin: "https://console.example.com")
        #expect(answer["Access-Control-Allow-Origin"] == "https://console.example.com" && answer["Vary"] == "Origin")
        let preflight = OriginPolicy.preflightHeaders(origin: "https://console.example.com")
        #expect(preflight["Access-Control-Allow-Origin"] == "https://console.example.com")
        #expect(preflight["Access-Control-Allow-Methods"] == "GET, POST, PUT, DELETE")
        #expect(preflight["Access-Control-Allow-Headers"] == "Authorization, Content-Type, Last-Event-ID")
        #expect(preflight["Access-Control-Max-Age"] == "600")
    }
}
