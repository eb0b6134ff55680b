import Observability
@testable import Transport
import Wire

/// An HTTP server handler on an embedded connection: the test delivers
/// request bytes, moves virtual time and reads the responses back parsed.
final class EmbeddedHTTP {
    let embedded = EmbeddedEventLoop()
    let connection: EmbeddedConnection
    let configuration: HTTPServerConfiguration
    private var parser = HTTPResponseParser()
    private var partialStatus = 0
    private var partialBody: [UInt8] = []

    init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), limits: ConnectionLimits = ConnectionLimits(),
         routes: (inout HTTPRoutes) -> Void) {
        var made = HTTPRoutes()
        routes(&made)
        self.configuration = configuration
        connection = EmbeddedConnection(loop: embedded.loop, limits: limits)
        connection.handler = HTTPServerHandler(connection: connection, routes: made, configuration: configuration,
                                               metrics: HTTPServerMetrics(server: "embedded", registry: MetricsRegistry()))
        connection.open()
    }

    func deliver(_ text: String) {
        connection.deliver(Array(text.utf8))
        embedded.run()
    }

    /// Every complete response written so far, as (status, body).
    func responses() throws -> [(status: Int, body: String)] {
        parser.append(connection.takeWritten())
        var answers: [(status: Int, body: String)] = []
        while let event = try parser.next() {
            switch event {
            case let .head(head): partialStatus = head.status
            case let .body(bytes): partialBody += bytes
            case .end:
                answers.append((partialStatus, String(decoding: partialBody, as: UTF8.self)))
                partialBody = []
            }
        }
        return answers
    }
}

/// A plain GET request, keep-alive unless `close`.
func httpGet(_ path: String, close: Bool = false) -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n"
}
