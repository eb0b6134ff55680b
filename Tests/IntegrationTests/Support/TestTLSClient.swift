import Foundation
import Primitives
import TestSupport
import Transport

/// Opens TLS connections from the test process with Transport's own client,
/// verifying the server against the cluster CA; without `certificate`, it presents none.
final class TestTLSClient: Sendable {
    let group: EventLoopGroup
    let context: TLSContext

    init(certificate: String?, key: String?, ca: String, loops: Int = 1) throws {
        group = try EventLoopGroup(loopCount: loops)
        context = try TLSContext(TLSConfiguration(certificateChainPath: certificate, privateKeyPath: key,
                                                  trustRootsPath: ca, peerVerification: .none), side: .client)
    }

    deinit { group.shutdown() }

    /// Connects and sends `greeting` after the handshake. Returns the transcript and a handle to write more.
    func open(port: Int, greeting: [UInt8] = []) -> (ClientTranscript, LoopBound<TLSConnection>?) {
        let transcript = ClientTranscript()
        let loop = group.next()
        let context = self.context
        let connection = loop.runAndWait { () -> LoopBound<TLSConnection>? in
            guard let address = try? SocketAddress(host: "127.0.0.1", port: UInt16(port)),
                  let made = try? TLSClient.connect(
                    to: address, expectedServerName: "127.0.0.1", context: context, on: loop,
                    makeHandler: { _ in RecordingHandler(transcript: transcript, greeting: greeting) })
            else { return nil }
            return LoopBound(made, loop: loop)
        }
        return (transcript, connection)
    }

    func write(_ bytes: [UInt8], on connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.write(bytes) }
    }

    func close(_ connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.close(.local("test done")) }
    }
}

enum TestFrames {
    static func ping(_ payload: String) -> [UInt8] {
        frame(kind: 1, payload: Array(payload.utf8))
    }

    static func frame(kind: UInt8, payload: [UInt8], version: UInt8 = 1, declaredLength: UInt32? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt32(payload.count + 2)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + [version, kind] + payload
    }
}
