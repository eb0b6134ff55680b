/// The replicated cluster version (CLUSTER.md, "The cluster version"): the gate for entries of
/// fleet version `FleetCodec.versionFirstGatedByClusterVersion` and later, which only rises.
extension FleetState {
    /// What an unset cluster version counts as: the last fleet version from before it existed.
    public static let clusterVersionUnset: UInt8 = FleetCodec.versionFirstGatedByClusterVersion - 1

    /// The cluster version in force: the one set, or `clusterVersionUnset`.
    public var effectiveClusterVersion: UInt8 { clusterVersion ?? Self.clusterVersionUnset }

    /// Raises the cluster version to `version`; one no higher than the version in force changes nothing.
    mutating func setClusterVersion(_ version: UInt8) -> FleetOutcome {
        guard version > effectiveClusterVersion else { return .clusterVersionKept(effectiveClusterVersion) }
        clusterVersion = version
        return .clusterVersionRaised(version)
    }
}
