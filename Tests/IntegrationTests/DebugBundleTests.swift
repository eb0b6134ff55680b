import Foundation
import Testing
import TestSupport

/// `hotswap debug bundle` end to end (Docs/RUNBOOKS.md, "Collecting a debug bundle"): against a
/// real three-coordinator cluster, logged in through the CLI, the bundle is a gzip'd tar the real
/// `tar` unpacks, holding each member's metrics, recent log lines, settings (the bootstrap
/// password nowhere) and the cluster status; with a member stopped, it still comes out and names
/// that member; a viewer is refused.
@Suite(.serialized) struct DebugBundleTests {
    /// A file of the unpacked bundle, read as text.
    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Runs `hotswap debug bundle ARGUMENTS` in `directory`, unpacks the bundle it wrote with `tar
    /// -xzf` into `directory/unpacked`, and returns the command's output and the bundle's top directory.
    static func bundle(_ environment: [String: String], in directory: TemporaryDirectory,
                       _ arguments: [String]) throws -> (output: ExternalCommand.Output, top: String) {
        let output = try ExternalCommand.run([HotSwapBinary.path, "debug", "bundle"] + arguments, environment: environment,
                                             workingDirectory: directory.path, timeout: .seconds(120))
        try #require(output.status == 0, "\(output.combined)")
        let archive = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .first { $0.hasPrefix("hotswap-debug-") && $0.hasSuffix(".tar.gz") }, "no bundle written: \(output.combined)")
        let mode = try FileManager.default.attributesOfItem(atPath: directory.file(archive))[.posixPermissions] as? Int
        #expect(mode == 0o600, "the bundle's mode")
        let unpacked = directory.file("unpacked")
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        let tar = try ExternalCommand.run(["tar", "-xzf", directory.file(archive), "-C", unpacked])
        try #require(tar.status == 0, "\(tar.combined)")
        let top = try #require(try FileManager.default.contentsOfDirectory(atPath: unpacked).first)
        for (path, wanted) in [(top, 0o700), ("\(top)/members", 0o700), ("\(top)/version.txt", 0o600)] {
            let entryMode = try FileManager.default.attributesOfItem(atPath: "\(unpacked)/\(path)")[.posixPermissions] as? Int
            #expect(entryMode == wanted, "\(path)'s mode inside the bundle")
        }
        return (output, "\(unpacked)/\(top)")
    }

    /// Every file under `directory`, as text.
    static func everyFile(under directory: String) throws -> [String: String] {
        let paths = try #require(FileManager.default.subpaths(atPath: directory))
        var files: [String: String] = [:]
        for path in paths {
            let type = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(path)")[.type] as? FileAttributeType
            if type == .typeDirectory { continue }
            files[path] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(path)")), as: UTF8.self)
        }
        return files
    }

    @Test func aBundleHoldsEveryMembersPartsAndNamesAStoppedOne() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let config = TemporaryDirectory()
        defer { config.remove() }
        let environment = ["XDG_CONFIG_HOME": config.path, "HOTSWAP_TOKEN": "", "HOTSWAP_ADDR": cluster.apiURLs.joined(separator: ","),
                           "HOTSWAP_CA": cluster.certificates.ca]
        let login = try ExternalCommand.run([HotSwapBinary.path, "login", "--password-stdin"],
                                            input: Data((TestCredentials.adminPassword + "\n").utf8), environment: environment)
        try #require(login.status == 0, "\(login.combined)")

        let first = TemporaryDirectory()
        defer { first.remove() }
        let (output, top) = try Self.bundle(environment, in: first, [])
        #expect(output.standardOutput.hasPrefix("wrote hotswap-debug-") && output.standardOutput.contains("3 members asked"),
                "\(output.combined)")
        let files = try Self.everyFile(under: top)
        #expect(!files.values.contains { $0.contains(TestCredentials.adminPassword) }, "the bootstrap password is in the bundle")
        let status = try #require(files["cluster-status.json"])
        for name in cluster.names {
            #expect(status.contains("\"name\":\"\(name)\""), "\(status)")
            #expect(files["members/\(name)/metrics.txt"]?.contains("hotswap_raft_leader_changes_total") == true, "\(name)'s metrics")
            #expect(files["members/\(name)/logs.txt"]?.contains("msg=\"coordinator started\" name=\(name)") == true,
                    "\(name)'s logs: \(files["members/\(name)/logs.txt"] ?? "none")")
            let settings = try #require(files["members/\(name)/configuration.json"])
            #expect(settings.contains(#"{"name":"peer-addr","values":["\#(cluster.peerAddress(of: name))"],"source":"flag"}"#),
                    "\(settings)")
            #expect(files["members/\(name)/healthz.json"] == #"{"status":"ok"}"#)
            #expect(settings.contains(#""name":"bootstrap-admin-password-file","values":["/"#), "a path is not a secret: \(settings)")
            for derived in ["advertise-api-addr", "advertise-agent-addr", "agent-hello-hold"] {
                let row = settings.range(of: #"{"name":"\#(derived)","values":[""#).map { settings[$0.lowerBound...].prefix { $0 != "}" } }
                #expect(row?.hasSuffix(#""source":"derived""#) == true, "\(derived) is filled from the configuration: \(settings)")
            }
        }
        #expect(files["errors.txt"] == "", "\(files["errors.txt"] ?? "")")
        #expect(files["version.txt"]?.hasPrefix("hotswap ") == true)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data((files["manifest.json"] ?? "").utf8)) as? [String: Any])
        #expect((manifest["members"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted() == cluster.names)
        #expect((manifest["unreachable"] as? [String]) == [], "\(manifest)")

        // A follower: the leader's status still names every member, the stopped one too.
        let stopped = try #require(cluster.names.last { $0 != leader })
        cluster.kill(stopped)
        let second = TemporaryDirectory()
        defer { second.remove() }
        let (again, secondTop) = try Self.bundle(environment, in: second, ["--member-timeout", "3s", "--since", "1h"])
        #expect(again.standardOutput.contains("unreachable: \(stopped)"), "\(again.combined)")
        let secondFiles = try Self.everyFile(under: secondTop)
        #expect(secondFiles["manifest.json"]?.contains(#""unreachable":["\#(stopped)"]"#) == true, "\(secondFiles["manifest.json"] ?? "")")
        #expect(secondFiles["errors.txt"]?.contains("members/\(stopped)/metrics.txt: ") == true, "\(secondFiles["errors.txt"] ?? "")")
        #expect(secondFiles["README.txt"]?.contains("Unreachable (nothing gathered): \(stopped)") == true)
        for name in cluster.names where name != stopped {
            #expect(secondFiles["members/\(name)/metrics.txt"]?.contains("hotswap_raft_leader_changes_total") == true)
        }
    }

    @Test func withoutALeaderTheSurvivorsLogsAndSettingsAreStillGathered() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let survivor = try #require(cluster.names.first { $0 != leader })
        for name in cluster.names where name != survivor { cluster.kill(name) }
        let process = try #require(cluster.processes[survivor])
        // Its lease lapses: it answers /readyz 503, which the failover would retry for a GET.
        #expect(eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            do { return try process.request("GET", "/readyz").status == 503 } catch { return false }
        }, "\(survivor) still ready without a quorum")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let environment = cluster.commandLineEnvironment(["HOTSWAP_ADDR": process.apiURL, "HOTSWAP_CA": cluster.certificates.ca])
        let (output, top) = try Self.bundle(environment, in: directory, ["--member-timeout", "5s"])
        let files = try Self.everyFile(under: top)
        let member = "members/\(survivor)"
        #expect(files["\(member)/logs.txt"]?.contains("msg=\"coordinator started\" name=\(survivor)") == true,
                "\(output.combined) \(files["errors.txt"] ?? "")")
        #expect(files["\(member)/configuration.json"]?.contains(#""name":"\#(survivor)""#) == true, "\(files["errors.txt"] ?? "")")
        #expect(files["\(member)/readyz.json"]?.contains("not_ready") == true, "\(files["\(member)/readyz.json"] ?? "none")")
    }

    @Test func aViewerIsRefusedAndAnExistingFileIsNeverReplaced() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let admin = try coordinator.adminToken()
        let body = #"{"name":"viewer1","role":"viewer","password":"Viewer-bundle-81"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: body, token: admin)
        try #require(added.status == 201, "\(added.body)")
        let viewer = try #require(try coordinator.login("viewer1", "Viewer-bundle-81").json["token"] as? String)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let base = ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": certificates.ca]
        for route in ["/api/v1/debug/logs", "/api/v1/debug/configuration"] {
            #expect(try coordinator.request("GET", route, token: viewer).status == 403, "\(route)")
        }
        let since = "2026-01-02T03:04:05Z"
        for query in ["/api/v1/debug/logs?level=info", "/api/v1/debug/logs?since=\(since)&since=\(since)",
                      "/api/v1/debug/logs?since=yesterday", "/api/v1/debug/configuration?name=c1"] {
            let refused = try coordinator.request("GET", query, token: admin)
            #expect(refused.status == 400 && refused.body.contains("invalid_query"), "\(query): \(refused.status) \(refused.body)")
        }
        #expect(try coordinator.request("GET", "/api/v1/debug/logs?since=\(since)", token: admin).status == 200)
        let refused = try ExternalCommand.run([HotSwapBinary.path, "debug", "bundle"],
                                              environment: base.merging(["HOTSWAP_TOKEN": viewer]) { $1 }, workingDirectory: directory.path)
        #expect(refused.status == 3, "\(refused.combined)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "a refused bundle wrote a file")

        let existing = directory.file("taken.tar.gz")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        let kept = try ExternalCommand.run([HotSwapBinary.path, "debug", "bundle", "--output", existing],
                                           environment: base.merging(["HOTSWAP_TOKEN": admin]) { $1 })
        #expect(kept.status == 2 && kept.standardError.contains("already exists"), "\(kept.combined)")
        #expect(try Self.text(existing) == "keep me")
    }
}
