import Wire

/// One response taken apart by `HTTPResponseParser`.
struct ParsedResponse: Sendable {
    let head: HTTPResponseHead
    let body: [UInt8]

    var status: Int { head.status }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

enum HTTPTestSupport {
    /// An HTTP/1.1 request as raw bytes, with a Host header.
    static func request(_ method: String, _ target: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) -> [UInt8] {
        var fields = HTTPHeaders([("Host", "127.0.0.1")] + headers)
        if !body.isEmpty { fields.replaceOrAdd(name: "Content-Length", value: String(body.count)) }
        return HTTPResponseSerializer.request(method: method, target: target, headers: fields) + body
    }

    /// The complete responses in `bytes`, in order. `bodiless` holds the indices of
    /// responses to HEAD requests. `closed` says the connection ended after `bytes`.
    static func responses(in bytes: [UInt8], bodiless: Set<Int> = [], closed: Bool = false) throws -> [ParsedResponse] {
        var parser = HTTPResponseParser()
        parser.limits.bodyMaximumBytes = Int(Int32.max)
        if bodiless.contains(0) { parser.expectNoBody() }
        parser.append(bytes)
        var parsed: [ParsedResponse] = []
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        func consume(_ event: HTTPResponseEvent) {
            switch event {
            case let .head(received): head = received
            case let .body(piece): body += piece
            case .end:
                if let head { parsed.append(ParsedResponse(head: head, body: body)) }
                head = nil
                body = []
                if bodiless.contains(parsed.count) { parser.expectNoBody() }
            }
        }
        while let event = try parser.next() { consume(event) }
        if closed {
            while let event = try parser.finishOnClose() { consume(event) }
        }
        return parsed
    }

    /// The integer value of `"name":123` in a flat JSON text.
    static func jsonInteger(_ name: String, in text: String) -> UInt64? {
        guard let range = text.range(of: "\"\(name)\":") else { return nil }
        return UInt64(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// The error code of the project's JSON error shape.
    static func errorCode(in text: String) -> String? {
        guard let range = text.range(of: "\"code\":\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
