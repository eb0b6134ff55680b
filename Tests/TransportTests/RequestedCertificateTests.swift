import Certificates
import COpenSSL
import Foundation
import Testing
import TestSupport
@testable import Transport
import Wire

/// A server that requests a client certificate without requiring one (`.requested`, the API
/// port): a client with none connects with no identity; one presented must chain to the CA and
/// pass the authorizer, else the handshake fails; and no session is resumed, so no identity
/// outlives the handshake that verified it.
@Suite struct RequestedCertificateTests {
    static func addWhoami(_ routes: inout HTTPRoutes) {
        routes.add("GET", "/whoami") { request, responder in
            responder.sendJSON(status: 200, JSONText.quoted(request.peer.map { "\($0)" } ?? "anonymous"))
        }
    }

    /// One GET /whoami with a client context trusting the fixture's CA and presenting `certificate`, if any,
    /// speaking at most `maximumVersion` when given.
    static func whoami(_ fixture: HTTPFixture, presenting certificate: CertificatePaths?, maximumVersion: Int32? = nil) throws
        -> Result<HTTPClientResponse, HTTPClientError> {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let context = try TLSContext(TLSConfiguration(certificateChainPath: certificate?.certificate,
                                                      privateKeyPath: certificate?.privateKey,
                                                      trustRootsPath: fixture.certificates.authority.certificate,
                                                      peerVerification: .none), side: .client)
        if let maximumVersion { #expect(hs_SSL_CTX_set_max_proto_version(context.context, maximumVersion) == 1) }
        return HTTPClient(group: group, context: context).send(HTTPClientRequest(method: "GET", target: "/whoami"),
                                                               to: fixture.server.address, serverName: TestCertificates.serverName,
                                                               timeout: HTTPFixture.requestTimeout)
    }

    static func failure(_ result: Result<HTTPClientResponse, HTTPClientError>) -> HTTPClientError? {
        if case let .failure(error) = result { return error }
        return nil
    }

    @Test func aClientWithoutACertificateConnectsWithNoIdentity() throws {
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer, isCertificateOptional: true, Self.addWhoami)
        defer { fixture.shutdown() }
        let response = try Self.whoami(fixture, presenting: nil).get()
        #expect(String(decoding: response.body, as: UTF8.self) == "\"anonymous\"")
    }

    @Test func aPresentedCertificateIsVerifiedAndItsIdentityReachesTheHandler() throws {
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer, isCertificateOptional: true, Self.addWhoami)
        defer { fixture.shutdown() }
        let response = try Self.whoami(fixture, presenting: fixture.certificates.client).get()
        #expect(String(decoding: response.body, as: UTF8.self) == "\"operator/\(TestCertificates.clientIdentityName)\"")
    }

    @Test func aCertificateFromAnotherCAOrRefusedByTheAuthorizerFailsTheHandshake() throws {
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer, isCertificateOptional: true, Self.addWhoami)
        defer { fixture.shutdown() }
        let strangers = try TestCertificates()
        #expect(throws: HTTPClientError.self) { try Self.whoami(fixture, presenting: strangers.client).get() }
        #expect(eventually { fixture.server.log.lines.contains { $0.contains("handshake failed") } }, "\(fixture.server.log.lines)")

        let refusing = try HTTPFixture(authorizer: { _ in .failure(PeerRejection("no one")) }, isCertificateOptional: true, Self.addWhoami)
        defer { refusing.shutdown() }
        #expect(throws: HTTPClientError.self) { try Self.whoami(refusing, presenting: refusing.certificates.client).get() }
        #expect(eventually { refusing.server.log.lines.contains { $0.contains("peer refused: no one") } }, "\(refusing.server.log.lines)")
        let anonymous = try Self.whoami(refusing, presenting: nil).get()
        #expect(String(decoding: anonymous.body, as: UTF8.self) == "\"anonymous\"", "no certificate: the authorizer is not asked")
    }

    /// The client tells the server refusing its certificate from any other failure in TLS 1.2 as
    /// in TLS 1.3: a certificate of another CA is refused with `unknown CA`, one the authorizer
    /// rejects with `handshake_failure`, which in TLS 1.2 arrives inside the handshake, after the
    /// client's certificate flight, rather than after the request was written.
    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func theClientNamesTheRefusalOfItsCertificateInEitherVersion(version: Int32) throws {
        let strangers = try TestCertificates()
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer, isCertificateOptional: true, Self.addWhoami)
        defer { fixture.shutdown() }
        let foreign = try Self.whoami(fixture, presenting: strangers.client, maximumVersion: version)
        #expect(Self.failure(foreign) == .clientCertificateRefused("unknown CA"), "\(foreign)")
        let refusing = try HTTPFixture(authorizer: { _ in .failure(PeerRejection("no one")) }, isCertificateOptional: true, Self.addWhoami)
        defer { refusing.shutdown() }
        let refused = try Self.whoami(refusing, presenting: refusing.certificates.client, maximumVersion: version)
        #expect(Self.failure(refused) == .clientCertificateRefused("handshake failure"), "\(refused)")
    }

    /// Neither a TLS 1.2 session id nor a TLS 1.3 ticket is resumed: the server issues no tickets
    /// and keeps no session cache, so `openssl s_client` is given nothing to offer again, and what
    /// it offers anyway (`-sess_in`) starts a full handshake that verifies the certificate anew.
    @Test func noSessionIsResumed() throws {
        try Prerequisite.requireTools("openssl")
        let fixture = try HTTPFixture(authorizer: TestCertificates.authorizer, isCertificateOptional: true, Self.addWhoami)
        defer { fixture.shutdown() }
        let certificates = fixture.certificates
        let request = "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        for version in ["-tls1_2", "-tls1_3"] {
            let sessionFile = certificates.directory + "/s_client\(version).session"
            let client = ["openssl", "s_client", "-connect", "127.0.0.1:\(fixture.server.port)", "-CAfile",
                          certificates.authority.certificate, "-cert", certificates.client.certificate,
                          "-key", certificates.client.privateKey, version, "-verify_return_error", "-ign_eof"]
            let first = try OutsidePeer.run(client + ["-sess_out", sessionFile], input: request)
            #expect(first.output.contains("New, TLSv1.") && first.output.contains("operator/ops"), "\(first.output)")
            guard FileManager.default.fileExists(atPath: sessionFile) else { continue }
            let second = try OutsidePeer.run(client + ["-sess_in", sessionFile], input: request)
            #expect(second.output.contains("New, TLSv1.") && !second.output.contains("Reused"), "\(version): \(second.output)")
            #expect(second.output.contains("operator/ops"), "\(second.output)")
        }
    }
}
