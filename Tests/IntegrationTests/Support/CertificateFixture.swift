import Foundation
import Testing
import TestSupport

/// A cluster CA with coordinator, agent and operator certificates, made by the
/// real `hotswap certs` CLI, plus a second, unrelated CA for negative tests.
final class CertificateFixture {
    let directory = TemporaryDirectory()
    let foreign = TemporaryDirectory()
    var tlsDirectory: String { directory.path }

    init(coordinators: [String] = ["c1"], agents: [String] = ["node-1"]) throws {
        try Self.hotswap(["certs", "init", "--dir", directory.path])
        for name in coordinators {
            try Self.hotswap(["certs", "issue", "--dir", directory.path, "--role", "coordinator", "--name", name,
                              "--ip", "127.0.0.1", "--dns", "localhost"])
        }
        for name in agents {
            try Self.hotswap(["certs", "issue", "--dir", directory.path, "--role", "agent", "--name", name])
        }
        try Self.hotswap(["certs", "issue", "--dir", directory.path, "--role", "operator", "--name", "ops"])
        try Self.hotswap(["certs", "init", "--dir", foreign.path])
        try Self.hotswap(["certs", "issue", "--dir", foreign.path, "--role", "agent", "--name", "node-1"])
        try Self.hotswap(["certs", "issue", "--dir", foreign.path, "--role", "coordinator", "--name", "c1",
                          "--ip", "127.0.0.1"])
    }

    func certificate(_ name: String) -> String { directory.file("\(name).pem") }
    func key(_ name: String) -> String { directory.file("\(name).key") }
    var ca: String { directory.file("ca.pem") }

    @discardableResult
    static func hotswap(_ arguments: [String]) throws -> ExternalCommand.Output {
        let output = try ExternalCommand.run([HotSwapBinary.path] + arguments)
        #expect(output.status == 0, "hotswap \(arguments.joined(separator: " ")) failed: \(output.combined)")
        return output
    }
}
