import Certificates
import Foundation
import Testing
import TestSupport

/// The API port speaks HTTPS to ordinary clients: curl verifies it against the
/// cluster CA, promtool accepts the metrics. The metrics the Deploy/ alert rules read show what
/// happened: one leader learned of, the write-ahead log's appends timed, the certificate's notAfter.
@Suite(.serialized)
struct HTTPSEndpointTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess

    init() throws {
        certificates = try CertificateFixture()
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
    }

    private func curl(_ path: String, _ extra: [String] = []) throws -> ExternalCommand.Output {
        try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "-w", "\n%{http_code}"]
                                + extra + ["\(coordinator.apiURL)\(path)"])
    }

    @Test func healthzAnswers200OverVerifiedTLS() throws {
        try Prerequisite.requireTools("curl")
        let output = try curl("/healthz")
        #expect(output.status == 0, "\(output.combined)")
        #expect(output.standardOutput.hasSuffix("\n200"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains(#""status":"ok""#))
    }

    @Test func readyzAnswers200OnceALeaderIsKnown() throws {
        try Prerequisite.requireTools("curl")
        #expect(eventually { (try? curl("/readyz").standardOutput.hasSuffix("\n200")) == true })
    }

    @Test func unknownPathAnswers404WithJSONError() throws {
        try Prerequisite.requireTools("curl")
        let output = try curl("/api/v1/nope")
        #expect(output.standardOutput.hasSuffix("\n404"))
        #expect(output.standardOutput.contains(#"{"error":{"code":"not_found""#), "\(output.standardOutput)")
    }

    @Test func wrongMethodAnswers405() throws {
        try Prerequisite.requireTools("curl")
        #expect(try curl("/healthz", ["-X", "POST"]).standardOutput.hasSuffix("\n405"))
    }

    @Test func metricsPassPromtool() throws {
        try Prerequisite.requireTools("curl", "promtool")
        _ = try curl("/healthz")
        let metrics = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/metrics"])
        #expect(metrics.standardOutput.contains("hotswap_http_requests_total"))
        #expect(metrics.standardOutput.contains("hotswap_transport_connections"))
        let check = try ExternalCommand.run(["promtool", "check", "metrics"], input: Data(metrics.standardOutput.utf8))
        #expect(check.status == 0, "promtool: \(check.combined)")
    }

    @Test func metricsShowTheLeaderTheLogsAppendsAndTheCertificatesExpiry() throws {
        try Prerequisite.requireTools("curl")
        let scraper = MetricsScraper(ca: certificates.ca, url: coordinator.apiURL)
        #expect(eventually { scraper.value("hotswap_raft_is_leader") == 1 })
        // The count follows the published view, which can trail is_leader by a scrape.
        #expect(eventually { scraper.value("hotswap_raft_leader_changes_total") == 1 }, "a lone coordinator elects itself once")
        #expect((scraper.value("hotswap_wal_append_duration_seconds_count") ?? 0) >= 1, "its election's term and vote were appended")
        let notAfter = try CertificateInfo.load(path: certificates.certificate("c1")).notAfter
        #expect(scraper.value("hotswap_certificate_not_after_timestamp_seconds") == Double(notAfter))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        try Prerequisite.requireTools("curl")
        let url = "\(coordinator.apiURL)/healthz"
        let output = try ExternalCommand.run(["curl", "-sS", "-v", "--cacert", certificates.ca, url, url, url])
        #expect(output.standardError.contains("Re-using existing connection"), "\(output.standardError)")
        #expect(output.standardOutput.components(separatedBy: #""status":"ok""#).count == 4)
    }
}
