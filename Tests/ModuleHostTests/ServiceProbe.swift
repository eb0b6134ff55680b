import Primitives
import Transport

/// What the sample service on a loopback port says it is: `GET /` and the `"version"` of its
/// answer; nil when nothing answers within 5 s.
enum ServiceProbe {
    static let answerBytesMaximum = 65_536

    static func version(on port: Int) -> String? {
        let fetched = HTTPProbe.fetch(address: SocketAddress.loopbackIPv4.withPort(UInt16(port)), hostHeader: "127.0.0.1:\(port)",
                                      path: "/", timeout: .seconds(5), answerBytesMaximum: answerBytesMaximum)
        guard case .answered = fetched.outcome else { return nil }
        let text = String(decoding: fetched.body, as: UTF8.self)
        guard let start = text.range(of: #""version":""#) else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
