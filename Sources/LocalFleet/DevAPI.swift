import FoundationEssentials
import Primitives
import Transport

/// `hotswap dev`'s HTTPS client for its coordinators' API: one event loop
/// for the whole run, servers verified against the fleet's CA, a short
/// timeout per request so the main loop stays responsive to Ctrl-C.
public final class DevAPI {
    static let requestTimeout: Duration = .seconds(2)

    private let group: EventLoopGroup
    private let client: HTTPClient

    public init(caPath: String) throws {
        group = try EventLoopGroup(loopCount: 1)
        do {
            let context = try TLSContext(TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil,
                                                          trustRootsPath: caPath, peerVerification: .none),
                                         side: .client)
            client = HTTPClient(group: group, context: context)
        } catch {
            group.shutdown()
            throw error
        }
    }

    public func shutdown() { group.shutdown() }

    /// `GET /api/v1/cluster` on the coordinator at `address` (`HOST:PORT`).
    public func cluster(at address: String) -> Result<ClusterStatusView, DevFailure> {
        get(address, "/api/v1/cluster?consistency=serializable").flatMap { decode(ClusterStatusView.self, $0, from: address) }
    }

    /// `GET /api/v1/nodes` on the coordinator at `address` (a follower forwards it to the leader).
    public func nodes(at address: String) -> Result<NodeListing, DevFailure> {
        get(address, "/api/v1/nodes").flatMap { decode(NodeListing.self, $0, from: address) }
    }

    /// `GET /metrics` on the coordinator at `address`, as text.
    public func metrics(at address: String) -> Result<String, DevFailure> {
        get(address, "/metrics").map { String(decoding: $0, as: UTF8.self) }
    }

    /// The body of a 200 answer, or why there is none.
    private func get(_ address: String, _ target: String) -> Result<[UInt8], DevFailure> {
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(parsing: address)
        } catch {
            return .failure(DevFailure("\(address) is not HOST:PORT"))
        }
        let request = HTTPClientRequest(method: "GET", target: target)
        switch client.send(request, to: socketAddress, serverName: socketAddress.host, timeout: Self.requestTimeout) {
        case let .failure(error):
            return .failure(DevFailure("GET https://\(address)\(target): \(error)"))
        case let .success(response) where response.head.status != 200:
            let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            return .failure(DevFailure("GET https://\(address)\(target) answered \(response.head.status): \(text)"))
        case let .success(response):
            return .success(response.body)
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ body: [UInt8], from address: String)
        -> Result<Value, DevFailure> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch {
            return .failure(DevFailure("https://\(address) answered JSON this hotswap cannot read: \(error)"))
        }
    }
}
