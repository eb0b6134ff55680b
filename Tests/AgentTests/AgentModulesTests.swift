@testable import Agent
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

    static func order(_ id: UInt64) -> AgentModules.Order {
        let command = InstallCommand(operation: OperationID(deploymentID: "d\(id)", wave: 1, kind: .install(version: "1.0.0")),
                                     term: 1, sequence: id, strategy: .inPlace)
        let artifact = OrderedArtifact(sha256: [UInt8](repeating: UInt8(id), count: 32), size: 10)
        return AgentModules.Order(commandID: id, order: ModuleOrder(module: "web", command: command, artifact: artifact),
                                  link: SessionLinkID(serial: 1))
    }

    @Test func theQueueIsBoundedAndAStopAnswersWhatWaitsAndEndsTheWorker() throws {
        let data = TemporaryDirectory()
        var settings = ModuleOrderSettings()
        settings.fetch.beginTimeout = .seconds(600)
        let modules = try AgentModules(dataDirectory: data.path, settings: settings,
                                       logger: Logger(component: "modules", minimumLevel: .error, sink: LogSink.capturing().0))
        #expect(modules.submit(Self.order(100))?.detail == "not taken: the agent is shutting down", "nothing runs before start")
        let port = RecordingPort()
        modules.start(port: port)
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
}
