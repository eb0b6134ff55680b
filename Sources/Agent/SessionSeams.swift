import Telemetry

/// Where a session gets a sample each interval: the host's collectors in
/// an agent (`Sampler`); synthetic figures when `hotswap bench agents` plays
/// thousands of agents in one process.
public protocol SampleSource: AnyObject {
    /// The sample for the interval that ends now, or nil to skip it.
    func take(roundTripMicroseconds: UInt32?, probes: [String: ProbeResult]) -> Sample?
}

/// The highest leader term a session has seen (fencing). An agent keeps it
/// in a file (`TermStore`) raised before acting on the frame that carried it.
public protocol TermRecord: AnyObject, Sendable {
    var highestTerm: UInt64 { get }
    /// Raises the record to `candidate` if higher; true when it changed.
    func raise(to candidate: UInt64) throws(AgentStateError) -> Bool
}

/// How the module owner's worker reaches the session from its own thread: both calls return at
/// once (the session acts on its loop), and do nothing once the session is gone.
protocol ModuleOrderPort: AnyObject, Sendable {
    /// Send an artifact request on `link` if it is still the current one (else the fetch is failed).
    func requestArtifact(_ request: ArtifactRequest, on link: SessionLinkID)
    /// An order's result, and every installed module's committed version now.
    func finished(_ result: AgentCommandResult, on link: SessionLinkID, installedVersions: [String: String])
}
