import Primitives
import Transport

/// A module's health probe, made from its manifest for one launch: `GET PATH` on
/// `127.0.0.1:PORT` (the assigned port when the manifest's probe names its `port`), healthy on a
/// 2xx status; or a command (`CommandProbe`), healthy when it exits 0. Each run is bounded by its
/// timeout and measured.
public enum ModuleProbe: Equatable, Sendable {
    case http(port: UInt16, path: String)
    case command(CommandProbe)

    /// nil when the manifest has no health probe; throws when its command is refused.
    public init?(launch: ModuleLaunch) throws(SupervisionError) {
        switch launch.manifest.health {
        case nil:
            return nil
        case let .http(path, port):
            self = .http(port: launch.probePort(port), path: path)
        case let .command(invocation):
            self = .command(try CommandProbe(launch: launch, invocation: invocation))
        }
    }

    /// Runs the probe once, waiting at most `timeout`; `interruptDescriptor` readable ends it at
    /// once (unhealthy).
    public func run(timeout: Duration, interruptDescriptor: Int32) -> ProbeOutcome {
        switch self {
        case let .http(port, path):
            let address = SocketAddress.loopbackIPv4.withPort(port)
            let outcome = HTTPProbe.run(address: address, hostHeader: "127.0.0.1:\(port)", path: path, timeout: timeout,
                                        interruptDescriptor: interruptDescriptor)
            switch outcome {
            case let .answered(status, latency):
                return ProbeOutcome(healthy: (200...299).contains(status), latency: latency, detail: "HTTP \(status)")
            case let .failed(reason):
                return ProbeOutcome(healthy: false, latency: nil, detail: reason)
            }
        case let .command(probe):
            return probe.run(timeout: timeout, interruptDescriptor: interruptDescriptor)
        }
    }
}

/// What one probe found.
public struct ProbeOutcome: Equatable, Sendable {
    public var healthy: Bool
    /// From the connect to the status line, or from the spawn to the exit; nil when the probe
    /// got no answer (a refused connection, a timeout).
    public var latency: Duration?
    /// In a few words: `HTTP 200`, `connect: Connection refused`, `exited with status 1`.
    public var detail: String
    /// A command probe's first `CommandProbe.outputBytesMaximum` bytes of output.
    public var output: String = ""
}
