import FoundationEssentials
import LocalFleet
import Primitives
import Transport
import Wire

/// `hotswap bench deploy`'s HTTPS client for the routes `DevAPI` does not read: module uploads,
/// the rollout policy, deployments. It logs in once as the fleet's first admin (`DevAdmin`) and
/// sends every request to one coordinator (a follower forwards writes). Used from one thread.
final class BenchDeployAPI {
    static let requestTimeout: Duration = .seconds(10)

    private let group: EventLoopGroup
    private let client: HTTPClient
    private let address: SocketAddress
    private let addressText: String
    private var token = ""

    init(caPath: String, admin: DevAdmin, address: String) throws {
        addressText = address
        self.address = try SocketAddress(parsing: address)
        group = try EventLoopGroup(loopCount: 1)
        do {
            let context = try TLSContext(TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: caPath,
                                                          peerVerification: .none), side: .client)
            client = HTTPClient(group: group, context: context)
            let login = try JSONEncoder().encode(["username": DevAdmin.user, "password": admin.password])
            let answer = try send("POST", "/api/v1/auth/login", body: Array(login), expecting: [200])
            token = try JSONDecoder().decode(LoginAnswer.self, from: Data(answer)).token
        } catch {
            group.shutdown()
            throw error
        }
    }

    func shutdown() { group.shutdown() }

    /// The body of an answer whose status is one of `expecting`; any other answer throws, with its text.
    @discardableResult
    func send(_ method: String, _ target: String, body: [UInt8] = [], json: Bool = true, expecting: Set<Int>) throws -> [UInt8] {
        var headers = HTTPHeaders()
        if json && !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        if !token.isEmpty { headers.add(name: "Authorization", value: "Bearer " + token) }
        let request = HTTPClientRequest(method: method, target: target, headers: headers, body: body)
        switch client.send(request, to: address, serverName: address.host, timeout: Self.requestTimeout) {
        case let .failure(error):
            throw BenchDeployFailure("\(method) https://\(addressText)\(target): \(error)")
        case let .success(response) where !expecting.contains(Int(response.head.status)):
            let text = String(decoding: response.body.prefix(400), as: UTF8.self)
            throw BenchDeployFailure("\(method) https://\(addressText)\(target) answered \(response.head.status): \(text)")
        case let .success(response):
            return response.body
        }
    }

    /// `GET /api/v1/deployments/{id}`, decoded.
    func deployment(_ id: String) throws -> DeploymentTimes.Deployment {
        let body = try send("GET", "/api/v1/deployments/\(id)", expecting: [200])
        do {
            return try JSONDecoder().decode(DeploymentTimes.Deployment.self, from: Data(body))
        } catch {
            throw BenchDeployFailure("the deployment \(id) is JSON this bench cannot read: \(error)")
        }
    }

    /// `POST /api/v1/deployments` with `body`; the new deployment's id.
    func startDeployment(_ body: String) throws -> String {
        let answer = try send("POST", "/api/v1/deployments", body: Array(body.utf8), expecting: [202])
        do {
            return try JSONDecoder().decode(Started.self, from: Data(answer)).id
        } catch {
            throw BenchDeployFailure("a started deployment's answer is JSON this bench cannot read: \(error)")
        }
    }

    private struct LoginAnswer: Decodable {
        let token: String
    }

    private struct Started: Decodable {
        let id: String
    }
}

/// Why `bench deploy` stopped: one sentence.
struct BenchDeployFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
