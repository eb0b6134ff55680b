import Agent
import HostInstall
import Telemetry
import Transport

/// How simulated agents answer module orders (`hotswap bench deploy`): every install takes
/// `installDelay` (zero: answered at once), and a module running `badVersion` reports its probe
/// latency `badLatencyMicroseconds` higher, so the gate fails that version.
public struct SimulatedInstallSettings: Equatable, Sendable {
    public var installDelay: Duration
    public var badVersion: String?
    public static let badLatencyMicroseconds: UInt32 = 100_000

    public init(installDelay: Duration = .zero, badVersion: String? = nil) {
        self.installDelay = installDelay
        self.badVersion = badVersion
    }
}

/// One simulated agent's host, on its session's loop: answers the session's module orders from
/// `SimulatedInstalls` after the configured delay, and tells the agent's samples which versions
/// run. Confined to the loop.
final class SimulatedModuleHost: ModuleOrderResponder {
    private let loop: EventLoop
    private let settings: SimulatedInstallSettings
    private(set) var installs = SimulatedInstalls()

    init(loop: EventLoop, settings: SimulatedInstallSettings) {
        self.loop = loop
        self.settings = settings
    }

    func respond(to order: ModuleOrder, commandID: UInt64,
                 answer: @escaping (AgentCommandResult, _ installedVersions: [String: String]) -> Void) {
        let finish = { [self] in
            let result = installs.apply(order.command, module: order.module)
            answer(AgentCommandResult(commandID: commandID, accepted: true, detail: "\(result.outcome)", install: result),
                   installs.installedVersions)
        }
        if settings.installDelay <= .zero {
            finish()
        } else {
            _ = loop.scheduleTimer(after: settings.installDelay, finish)
        }
    }

    /// Whether `version` is the one that regresses.
    func isBad(_ version: String) -> Bool { version == settings.badVersion }
}
