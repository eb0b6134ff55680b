import HostInstall

/// A simulated host's module installs: the real `InstallCore` (HostInstall) of each module, with
/// every step it asks for taken at once and done (a version unpacks with ports 8080 and 8081), so
/// a simulated host answers stale, repeated, switch-back and withdrawal commands exactly as a real
/// host decides them, minus the processes. Bounded: at most `modulesMaximum` modules, each core
/// keeping its own bounded record.
public struct SimulatedInstalls: Sendable {
    public static let modulesMaximum = 64
    /// Steps one command may take: an install takes at most a handful, a switch back a few more.
    static let stepsMaximum = 64
    static let ports = (port: 8080, alternatePort: 8081)

    private var cores: [String: InstallCore] = [:]

    public init() {}

    /// Every module's committed version.
    public var installedVersions: [String: String] { cores.compactMapValues { $0.record.committed?.version } }

    /// The answer to `command` for `module`, which it applies.
    public mutating func apply(_ command: InstallCommand, module name: String) -> InstallResult {
        guard cores[name] != nil || cores.count < Self.modulesMaximum else {
            return InstallResult(operation: command.operation, outcome: .refused, active: nil,
                                 reason: "this simulated host holds \(Self.modulesMaximum) modules already")
        }
        var core = cores[name] ?? InstallCore(record: InstallRecord(module: name))
        let answer = Self.run(command, on: &core)
        cores[name] = core
        return answer ?? InstallResult(operation: command.operation, outcome: .busy,
                                       active: core.record.committed, reason: "the simulated install took over \(Self.stepsMaximum) steps")
    }

    /// Feeds `command` to `core` and answers every step it asks for until it reports.
    private static func run(_ command: InstallCommand, on core: inout InstallCore) -> InstallResult? {
        var event: InstallEvent? = .command(command)
        for _ in 0..<stepsMaximum {
            guard let current = event else { return nil }
            event = nil
            for action in core.handle(current) {
                switch action {
                case let .report(result): return result
                case .unpack: event = .unpacked(port: ports.port, alternatePort: ports.alternatePort)
                case .start, .stop, .probe, .link: event = core.record.intent.map { .done($0.step) }
                case .persist, .prune: break
                }
            }
        }
        return nil
    }
}
