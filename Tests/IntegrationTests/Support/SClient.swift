import Foundation
import TestSupport

/// `openssl s_client` as an outside TLS peer. It sends one ping frame and
/// reports whether the pong came back (the handshake and the authorization
/// both succeeded) together with what OpenSSL printed.
enum SClient {
    static let pingPayload = "hotswap-ping-probe"

    struct Attempt {
        let output: ExternalCommand.Output
        var gotPong: Bool { output.standardOutput.contains(SClient.pingPayload) }
    }

    static func pingFrame(_ payload: [UInt8]) -> Data {
        let length = UInt32(payload.count + 2)
        var bytes = withUnsafeBytes(of: length.bigEndian) { Array($0) }
        bytes += [1, 1] + payload
        return Data(bytes)
    }

    /// Sends `payload` as a ping (the probe by default) and reads until the connection ends.
    static func ping(port: Int, ca: String, certificate: String? = nil, key: String? = nil,
                     extra: [String] = [], payload: [UInt8] = Array(pingPayload.utf8)) throws -> Attempt {
        var arguments = ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-CAfile", ca,
                         "-verify_return_error"]
        if let certificate, let key { arguments += ["-cert", certificate, "-key", key] }
        return Attempt(output: try ExternalCommand.run(arguments + extra, input: pingFrame(payload)))
    }
}
