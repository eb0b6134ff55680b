import Primitives
import Telemetry
import Transport

/// The `--module` health probe: one `HTTPProbe` of the endpoint, healthy on a 2xx or 3xx status
/// (as Kubernetes' `httpGet` probe), as the report carries it.
extension HTTPProbe {
    static func run(_ endpoint: HealthEndpoint, timeout: Duration, interruptDescriptor: Int32) -> ProbeResult {
        let outcome = run(address: endpoint.address, hostHeader: endpoint.hostHeader, path: endpoint.path, timeout: timeout,
                          interruptDescriptor: interruptDescriptor)
        guard case let .answered(status, latency) = outcome, (200...399).contains(status) else { return .failed }
        return .succeeded(latencyMicroseconds: UInt32(clamping: latency.wholeNanoseconds / 1_000))
    }
}
