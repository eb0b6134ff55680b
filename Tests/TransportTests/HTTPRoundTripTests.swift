import Certificates
import Primitives
import Testing
import TestSupport
import Transport
import Wire

/// HTTPClient and a raw TLS client against the HTTP server, over real TLS on loopback.
@Suite struct HTTPRoundTripTests {
    /// The routes most tests here use.
    static func addThingRoutes(_ routes: inout HTTPRoutes) {
        routes.add("GET", "/api/v1/things/{name}") { request, responder in
            let name = request.parameters["name"] ?? ""
            responder.sendJSON(status: 200, "{\"name\":\(JSONText.quoted(name))}")
        }
        routes.add("POST", "/api/v1/things") { request, responder in
            var headers = HTTPHeaders()
            headers.add(name: "X-Received-Bytes", value: String(request.body.count))
            headers.add(name: "X-Received-Type", value: request.head.headers["Content-Type"] ?? "-")
            responder.sendJSON(status: 201, String(decoding: request.body, as: UTF8.self), headers: headers)
        }
        routes.add("GET", "/api/v1/stream/{bytes}") { request, responder in
            let total = Int(request.parameters["bytes"] ?? "") ?? 0
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/octet-stream")
            responder.startStream(status: 200, headers: headers)
            var offset = 0
            var pieceBytes = 1
            while offset < total {
                let count = min(pieceBytes, total - offset)
                responder.writeChunk(TestPattern.bytes(at: offset, count: count))
                offset += count
                pieceBytes = pieceBytes >= 30_000 ? 1 : pieceBytes * 3 + 1
            }
            responder.finishStream()
        }
        routes.add("GET", "/api/v1/slow/{milliseconds}") { request, responder in
            let milliseconds = Int64(request.parameters["milliseconds"] ?? "") ?? 0
            let name = request.parameters["milliseconds"] ?? ""
            responder.loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: .milliseconds(milliseconds))) {
                responder.sendJSON(status: 200, "{\"slow\":\(JSONText.quoted(name))}")
            }
        }
    }

    private func thingJSON(_ name: String) -> String { "{\"name\":\(JSONText.quoted(name))}" }

    @Test func getRoutesPathParametersToTheHandlerAndReturnsItsJSON() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let plain = try fixture.send("GET", "/api/v1/things/widget-7").get()
        #expect(plain.head.status == 200)
        #expect(plain.head.headers["Content-Type"] == "application/json")
        #expect(plain.head.headers["Content-Length"] == String(plain.body.count))
        #expect(String(decoding: plain.body, as: UTF8.self) == thingJSON("widget-7"))
        let encoded = try fixture.send("GET", "/api/v1/things/hello%20w%C3%B6rld").get()
        #expect(String(decoding: encoded.body, as: UTF8.self) == thingJSON("hello wörld"))
    }

    @Test func aWholeResponseLargerThanTheWriteQueueIsPacedInsteadOfClosingTheConnection() throws {
        let total = ConnectionLimits().writeQueueMaximumBytes + (4 << 20)
        let fixture = try HTTPFixture { routes in
            routes.add("GET", "/api/v1/large") { _, responder in
                responder.send(status: 200, body: TestPattern.bytes(at: 0, count: total))
            }
        }
        defer { fixture.shutdown() }
        let response = try fixture.send("GET", "/api/v1/large").get()
        #expect(response.head.status == 200)
        #expect(response.body.count == total)
        #expect(response.body == TestPattern.bytes(at: 0, count: total))
    }

    @Test func postDeliversTheBufferedJSONBodyToTheHandler() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let items = (0..<400).map { "{\"id\":\($0),\"label\":\"item-\($0)\"}" }
        let json = Array("{\"items\":[\(items.joined(separator: ","))]}".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        let response = try fixture.send("POST", "/api/v1/things", headers: headers, body: json).get()
        #expect(response.head.status == 201)
        #expect(response.head.headers["X-Received-Bytes"] == String(json.count))
        #expect(response.head.headers["X-Received-Type"] == "application/json")
        #expect(response.body == json)
    }

    @Test func bufferedBodyOverTheRouteLimitIsRefusedWith413() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let tooBig = [UInt8](repeating: UInt8(ascii: "a"), count: HTTPRoutes.smallBodyMaximumBytes + 1)
        let greeting = HTTPTestSupport.request("POST", "/api/v1/things",
                                               headers: [("Content-Length", String(tooBig.count))])
        // Only the head goes out, so the refusal is not raced by a reset for unread body bytes.
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        let response = try #require(responses.first)
        #expect(response.status == 413)
        #expect(response.head.headers["Connection"] == "close")
        #expect(HTTPTestSupport.errorCode(in: response.bodyText) == "body_too_large")
    }

    @Test func unknownPathGets404WithAJSONErrorBody() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let response = try fixture.send("GET", "/api/v1/nothing/here").get()
        #expect(response.head.status == 404)
        #expect(response.head.headers["Content-Type"] == "application/json")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(HTTPTestSupport.errorCode(in: text) == "not_found")
        #expect(text.hasPrefix("{\"error\":{"))
    }

    @Test func wrongMethodGets405WithAllowHeaderAndAJSONErrorBody() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let response = try fixture.send("DELETE", "/api/v1/things/widget").get()
        #expect(response.head.status == 405)
        #expect(response.head.headers["Allow"] == "GET, HEAD")
        #expect(response.head.headers["Content-Type"] == "application/json")
        #expect(HTTPTestSupport.errorCode(in: String(decoding: response.body, as: UTF8.self)) == "method_not_allowed")
    }

    @Test func headGetsTheGETHeadersButNoBody() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let viaClient = try fixture.send("HEAD", "/api/v1/things/widget").get()
        #expect(viaClient.head.status == 200)
        #expect(viaClient.head.headers["Content-Length"] == String(thingJSON("widget").utf8.count))
        #expect(viaClient.body.isEmpty)
        // On the wire: a HEAD then a GET on one connection. A body after the HEAD
        // response would be read as the next status line and fail the parse.
        let greeting = HTTPTestSupport.request("HEAD", "/api/v1/things/first")
            + HTTPTestSupport.request("GET", "/api/v1/things/second", headers: [("Connection", "close")])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, bodiless: [0], closed: true)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.first?.head.headers["Content-Length"] == String(thingJSON("first").utf8.count))
        #expect(responses.last?.bodyText == thingJSON("second"))
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let greeting = HTTPTestSupport.request("GET", "/api/v1/things/first")
            + HTTPTestSupport.request("GET", "/api/v1/things/second")
            + HTTPTestSupport.request("GET", "/api/v1/things/third", headers: [("Connection", "close")])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        #expect(responses.map(\.bodyText) == ["first", "second", "third"].map(thingJSON))
        #expect(responses.map { $0.head.headers["Connection"] } == [nil, nil, "close"])
    }

    @Test func aPipelinedRequestWaitsForTheSlowerResponseBeforeIt() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let greeting = HTTPTestSupport.request("GET", "/api/v1/slow/150")
            + HTTPTestSupport.request("GET", "/api/v1/things/fast", headers: [("Connection", "close")])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        #expect(responses.map(\.bodyText) == ["{\"slow\":\"150\"}", thingJSON("fast")])
    }

    @Test func keepAliveConnectionServesSequentialRequests() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let (transcript, connection) = try #require(
            fixture.raw.open(port: fixture.server.port, greeting: HTTPTestSupport.request("GET", "/api/v1/things/one")))
        #expect(eventually { (try? HTTPTestSupport.responses(in: transcript.received).count) == 1 })
        #expect(!transcript.isClosed)
        fixture.raw.write(HTTPTestSupport.request("GET", "/api/v1/things/two"), on: connection)
        #expect(eventually { (try? HTTPTestSupport.responses(in: transcript.received).count) == 2 })
        let responses = try HTTPTestSupport.responses(in: transcript.received)
        #expect(responses.map(\.bodyText) == [thingJSON("one"), thingJSON("two")])
        #expect(!transcript.isClosed)
        #expect(fixture.server.openConnectionCount() == 1)
    }

    @Test func http10RequestWithoutKeepAliveIsAnsweredAndClosed() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let greeting = Array("GET /api/v1/things/old HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        #expect(responses.map(\.bodyText) == [thingJSON("old")])
        #expect(responses.first?.head.headers["Connection"] == "close")
    }

    @Test func chunkedStreamedResponseArrivesIntactThroughHTTPClient() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let total = 300 * 1024
        let response = try fixture.send("GET", "/api/v1/stream/\(total)").get()
        #expect(response.head.status == 200)
        #expect(response.head.headers["Transfer-Encoding"] == "chunked")
        #expect(response.head.headers["Content-Length"] == nil)
        #expect(response.body.count == total)
        #expect(response.body == TestPattern.bytes(at: 0, count: total))
    }

    /// HTTPClient documents a 16 MiB response bound; a response of exactly that size is within it.
    /// The route writes only while the responder is writable: 16 MiB written in one loop turn
    /// would exceed the connection's 8 MiB write queue whenever the client drains slower than
    /// the server writes, and be aborted, as a handler ignoring backpressure should be.
    @Test func httpClientAcceptsAResponseExactlyAtItsDocumentedBodyBound() throws {
        let total = HTTPClient.responseBodyMaximumBytes
        let fixture = try HTTPFixture { routes in
            routes.add("GET", "/api/v1/bound") { _, responder in
                PoliteStream(responder: responder, totalBytes: total, probe: StreamProbe()).start()
            }
        }
        defer { fixture.shutdown() }
        let result = fixture.send("GET", "/api/v1/bound")
        let response = try #require(try? result.get(), "HTTPClient refused a \(total)-byte response: \(result)")
        #expect(response.body.count == total)
        #expect(response.body == TestPattern.bytes(at: 0, count: total))
    }

    @Test func httpClientRefusesAResponseOverItsDocumentedBodyBound() throws {
        let total = HTTPClient.responseBodyMaximumBytes + 1
        let fixture = try HTTPFixture { routes in
            routes.add("GET", "/api/v1/huge") { _, responder in
                PoliteStream(responder: responder, totalBytes: total, probe: StreamProbe()).start()
            }
        }
        defer { fixture.shutdown() }
        let result = fixture.send("GET", "/api/v1/huge")
        guard case let .failure(error) = result else {
            Issue.record("HTTPClient accepted a \(total)-byte response")
            return
        }
        #expect("\(error)".contains(String(HTTPClient.responseBodyMaximumBytes)), "\(error)")
    }

    /// A request may take a larger answer than the default bound (a saved snapshot), and only that request.
    @Test func aRequestMayRaiseItsOwnResponseBound() throws {
        let total = HTTPClient.responseBodyMaximumBytes + 1
        let fixture = try HTTPFixture { routes in
            routes.add("GET", "/api/v1/huge") { _, responder in
                PoliteStream(responder: responder, totalBytes: total, probe: StreamProbe()).start()
            }
        }
        defer { fixture.shutdown() }
        let raised = fixture.send("GET", "/api/v1/huge", responseBodyMaximumBytes: total)
        let response = try #require(try? raised.get(), "HTTPClient refused a \(total)-byte response it was allowed: \(raised)")
        #expect(response.body.count == total)
        let lowered = fixture.send("GET", "/api/v1/huge", responseBodyMaximumBytes: total - 1)
        guard case let .failure(error) = lowered else {
            Issue.record("HTTPClient took more than the request allowed")
            return
        }
        #expect("\(error)".contains(String(total - 1)), "\(error)")
    }

    /// HEAD falls back to the GET route; when that route streams, the chunks
    /// must still stay off the wire, or the next response on the connection is garbage.
    @Test func headOnAStreamingRouteGetsNoBody() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let greeting = HTTPTestSupport.request("HEAD", "/api/v1/stream/1000")
            + HTTPTestSupport.request("GET", "/api/v1/things/after", headers: [("Connection", "close")])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: greeting))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, bodiless: [0], closed: true)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.last?.bodyText == thingJSON("after"))
    }

    @Test func httpClientReportsAFailureWhenNothingListens() throws {
        let certificates = try TestCertificates()
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group, context: try certificates.clientContext())
        // Take a free port, then stop listening on it.
        let server = try TestServer(certificates: certificates, routes: HTTPRoutes())
        let address = server.address
        server.shutdown()
        let result = client.send(HTTPClientRequest(method: "GET", target: "/"), to: address,
                                 serverName: TestCertificates.serverName, timeout: .seconds(10))
        guard case .failure = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
    }

    @Test func httpClientRefusesAServerWhoseCertificateDoesNotNameIt() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let result = fixture.client.send(HTTPClientRequest(method: "GET", target: "/api/v1/things/x"),
                                         to: fixture.server.address, serverName: "10.9.8.7",
                                         timeout: HTTPFixture.requestTimeout)
        guard case let .failure(error) = result else {
            Issue.record("expected a verification failure, got \(result)")
            return
        }
        #expect("\(error)".contains("TLS handshake failed"), "\(error)")
    }

    /// A certificate issued with an IP address only carries its member name as subject CN; a client
    /// dialling that name must still refuse it (names match DNS subjectAltNames only).
    @Test func httpClientNeverMatchesANameOnTheSubjectCommonName() throws {
        let certificates = try TestCertificates()
        let ipOnly = try CertificateAuthority.issue(directory: certificates.directory,
                                                    identity: NodeIdentity(role: .coordinator, name: "c9"),
                                                    ipAddresses: [TestCertificates.serverName], dnsNames: [])
        let server = try TestServer(certificates: certificates, contexts: certificates.serverContexts(presenting: ipOnly),
                                    makeHandler: { _ in IgnoringHandler() })
        defer { server.shutdown() }
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group, context: try certificates.clientContext())
        let result = client.send(HTTPClientRequest(method: "GET", target: "/"), to: server.address, serverName: "c9",
                                 timeout: HTTPFixture.requestTimeout)
        guard case let .failure(error) = result else {
            Issue.record("a certificate naming c9 only as its CN was accepted for c9: \(result)")
            return
        }
        #expect("\(error)".contains("TLS handshake failed"), "\(error)")
    }

    @Test func httpClientRefusesAServerFromAnotherCA() throws {
        let fixture = try HTTPFixture(Self.addThingRoutes)
        defer { fixture.shutdown() }
        let strangers = try TestCertificates()
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group, context: try strangers.clientContext())
        let result = client.send(HTTPClientRequest(method: "GET", target: "/api/v1/things/x"),
                                 to: fixture.server.address, serverName: TestCertificates.serverName,
                                 timeout: HTTPFixture.requestTimeout)
        guard case let .failure(error) = result else {
            Issue.record("expected a verification failure, got \(result)")
            return
        }
        #expect("\(error)".contains("TLS handshake failed"), "\(error)")
    }

    @Test func mutualTLSPeerIdentityReachesTheHandler() throws {
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer) { routes in
            routes.add("GET", "/api/v1/whoami") { request, responder in
                responder.sendJSON(status: 200, JSONText.quoted(request.peer.map { "\($0)" } ?? "anonymous"))
            }
        }
        defer { fixture.shutdown() }
        let response = try fixture.send("GET", "/api/v1/whoami").get()
        #expect(response.head.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "\"operator/\(TestCertificates.clientIdentityName)\"")
    }
}
