/// Where a coordinator can be reached by people (API) and by agents. Each
/// coordinator publishes its own through Raft when it starts, as etcd
/// publishes its client URLs, so any follower can tell an agent where the
/// leader listens.
public struct AdvertisedAddresses: Sendable, Equatable {
    public var name: String
    /// `HOST:PORT` of the HTTPS API.
    public var apiAddress: String
    /// `HOST:PORT` of the mutual-TLS agent endpoint.
    public var agentAddress: String

    public init(name: String, apiAddress: String, agentAddress: String) {
        self.name = name
        self.apiAddress = apiAddress
        self.agentAddress = agentAddress
    }
}
