@testable import Agent
import Glibc
import HostInstall
import Locking
import Observability
import Telemetry
import Testing
import TestSupport

/// The module owner's queue and drain on a real data directory, with a leader that never
/// answers artifact requests: the running order waits in its fetch, the queue holds 16 more and
/// refuses the next, and a stop answers the waiting ones, gives up the fetch and ends the worker.
@Suite struct AgentModulesTests {
    /// Records what the worker sends back to the session.
    final class RecordingPort: ModuleOrderPort {
        let requests = Locked<[ArtifactRequest]>([])
        let results = Locked<[AgentCommandResult]>([])

        func requestArtifact(_ request: ArtifactRequest, on link: SessionLinkID) {
            requests.withLock { $0.append(request) }
        }

        func finished(_ result: AgentCommandResult, on link: SessionLinkID, installedVersions: [String: String]) {
            results.withLock { $0.append(result) }
        }
    }

    static let link = SessionLinkID(serial: 1)

    static func order(_ id: UInt64, term: UInt64 = 1, module: String = "web", kind: OperationID.Kind = .install(version: "1.0.0"),
                      link: SessionLinkID = link) -> AgentModules.Order {
        let command = InstallCommand(operation: OperationID(deploymentID: "d\(id)", wave: 1, kind: kind),
                                     term: term, sequence: id, strategy: .inPlace)
        let artifact = OrderedArtifact(sha256: [UInt8](repeating: UInt8(id), count: 32), size: 10)
        return AgentModules.Order(commandID: id, order: ModuleOrder(module: module, command: command, artifact: artifact),
                                  link: link)
    }

    static func modules(in data: TemporaryDirectory, terms: TermStore) throws -> AgentModules {
        var settings = ModuleOrderSettings()
        settings.fetch.beginTimeout = .seconds(600)
        return try AgentModules(dataDirectory: data.path, settings: settings, terms: terms,
                                logger: Logger(component: "modules", minimumLevel: .error, sink: LogSink.capturing().0))
    }

    @Test func theQueueIsBoundedAndAStopAnswersWhatWaitsAndEndsTheWorker() throws {
        let data = TemporaryDirectory()
        let modules = try Self.modules(in: data, terms: try TermStore(directory: data.path))
        #expect(modules.submit(Self.order(100))?.detail == "not taken: the agent is shutting down", "nothing runs before start")
        let port = RecordingPort()
        modules.start(port: port)
        modules.fence.noteWelcomedLink(Self.link)
        #expect(modules.submit(Self.order(1)) == nil)
        #expect(eventually { port.requests.withLock { $0.count } == 1 }, "the first order waits in its fetch")
        for id in 2...17 as ClosedRange<UInt64> { #expect(modules.submit(Self.order(id)) == nil) }
        let refused = try #require(modules.submit(Self.order(18)))
        #expect(!refused.accepted && refused.install == nil && refused.detail.contains("queue is full"))

        #expect(modules.drain(), "the fetch is given up and the worker ends")
        modules.finish(drained: true)
        let results = port.results.withLock { $0 }
        #expect(Set(results.map(\.commandID)) == Set(1...17))
        #expect(results.allSatisfy { !$0.accepted && $0.install == nil })
        #expect(modules.submit(Self.order(19))?.accepted == false)
    }

    /// Fencing past the queue: a switch-back of term 5 waits behind a fetch while the agent
    /// persists term 6; taken off the queue, it is answered `accepted: false` and nothing of it
    /// runs (no installer is even made). So is an order whose link is no longer the welcomed one.
    @Test func aQueuedOrderOfASupersededTermOrLinkIsNotRun() throws {
        let data = TemporaryDirectory()
        let terms = try TermStore(directory: data.path)
        try terms.raise(to: 5)
        let modules = try Self.modules(in: data, terms: terms)
        let port = RecordingPort()
        modules.start(port: port)
        modules.fence.noteWelcomedLink(Self.link)
        #expect(modules.submit(Self.order(1, term: 5)) == nil)
        #expect(eventually { port.requests.withLock { $0.count } == 1 }, "the first order waits in its fetch")
        #expect(modules.submit(Self.order(2, term: 5, module: "api", kind: .switchBack(from: "1.0.0"))) == nil)
        try terms.raise(to: 6)
        #expect(modules.submit(Self.order(3, term: 6, module: "api", link: SessionLinkID(serial: 2))) == nil)
        modules.linkEnded(Self.link, reason: "the test ends the fetch")
        #expect(eventually { port.results.withLock { $0.count } == 3 })
        let results = port.results.withLock { $0 }
        #expect(results.allSatisfy { !$0.accepted && $0.install == nil })
        #expect(results.first { $0.commandID == 2 }?.detail.contains("below the highest persisted term 6") == true)
        #expect(results.first { $0.commandID == 3 }?.detail.contains("no longer the leader's session") == true)
        #expect(modules.installers.withLock { $0["api"] } == nil, "nothing of the fenced orders ran")
        #expect(port.requests.withLock { $0.count } == 1, "no artifact was asked for them")
        #expect(modules.drain())
        modules.finish(drained: true)
    }

    /// An unsigned artifact under trusted keys, for an install the installer would unpack: answered
    /// `install = refused` through the worker, and nothing is asked of the leader.
    @Test func anUnsignedArtifactUnderTrustedKeysIsRefusedWithNothingFetched() throws {
        let data = TemporaryDirectory()
        let modules = try Self.modules(in: data, terms: try TermStore(directory: data.path))
        let port = RecordingPort()
        modules.start(port: port)
        modules.fence.noteWelcomedLink(Self.link)
        var order = Self.order(1)
        order = AgentModules.Order(commandID: 1, order: ModuleOrder(
            module: "web", command: order.order.command,
            artifact: OrderedArtifact(sha256: [UInt8](repeating: 1, count: 32), size: 10, trustedKeys: [[UInt8](repeating: 7, count: 32)])),
            link: Self.link)
        #expect(modules.submit(order) == nil)
        #expect(eventually { port.results.withLock { $0.count } == 1 })
        let result = try #require(port.results.withLock { $0.first })
        #expect(result.accepted && result.install?.outcome == .refused, "\(result)")
        #expect(result.install?.reason?.contains("unsigned") == true)
        #expect(port.requests.withLock { $0.isEmpty }, "no artifact was asked for")
        #expect(modules.drain())
        modules.finish(drained: true)
    }

    static func switchBack(_ id: UInt64) -> AgentModules.Order {
        let command = InstallCommand(operation: OperationID(deploymentID: "d\(id)", wave: 1, kind: .switchBack(from: "9.9.9")),
                                     term: 1, sequence: id, strategy: .inPlace)
        return AgentModules.Order(commandID: id, order: ModuleOrder(module: "web", command: command, artifact: nil), link: link)
    }

    /// Fills the file system of `directory` with one file until a write fails; returns its path.
    static func fill(_ directory: String) -> String {
        let path = "\(directory)/filler"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0xAA, count: 64 << 10)
        while write(descriptor, block, block.count) > 0 {}
        let byte: [UInt8] = [0]
        while write(descriptor, byte, 1) > 0 {}
        return path
    }

    /// An installer that cannot write its record (the file system is full) may have run
    /// steps: the order is answered `install = interrupted`, never `accepted: false`, which would
    /// say nothing ran; once the disk takes writes again the next order runs on a new installer.
    @Test func anInstallThatCannotBeRecordedIsAnsweredInterrupted() throws {
        let mount = try TmpfsMount.makeOrCancel(sizeBytes: 8 << 20)
        defer { mount.unmount() }
        let state = TemporaryDirectory()
        let modules = try AgentModules(dataDirectory: mount.directory.path, settings: ModuleOrderSettings(),
                                       terms: try TermStore(directory: state.path),
                                       logger: Logger(component: "modules", minimumLevel: .error, sink: LogSink.capturing().0))
        let port = RecordingPort()
        modules.start(port: port)
        modules.fence.noteWelcomedLink(Self.link)
        #expect(modules.submit(Self.switchBack(1)) == nil)
        #expect(eventually { port.results.withLock { $0.count } == 1 })
        #expect(port.results.withLock { $0.first?.install?.outcome } == .installed, "nothing to switch back: recorded as done")

        let filler = Self.fill(mount.directory.path)
        #expect(modules.submit(Self.switchBack(2)) == nil)
        #expect(eventually { port.results.withLock { $0.count } == 2 })
        let unrecorded = try #require(port.results.withLock { $0.last })
        #expect(unrecorded.accepted && unrecorded.install?.outcome == .interrupted, "\(unrecorded)")
        #expect(unrecorded.install?.reason?.contains("could not be recorded") == true)

        unlink(filler)
        #expect(modules.submit(Self.switchBack(3)) == nil)
        #expect(eventually { port.results.withLock { $0.count } == 3 })
        #expect(port.results.withLock { $0.last?.install?.outcome } == .installed, "a new installer recovered and ran it")
        #expect(modules.drain())
        modules.finish(drained: true)
    }
}
