import CommandLineSupport
import FoundationEssentials
import Primitives
import Transport
import Wire

/// `hotswap dev`'s HTTPS client for its coordinators' API: one event loop
/// for the whole run, servers verified against the fleet's CA, a short
/// timeout per request so the main loop stays responsive to Ctrl-C. It acts
/// as the fleet's first admin (`DevAdmin`): it logs in when it has no token
/// (at most once per `loginInterval`, so polling a fleet that has not made
/// its admin yet costs a coordinator one password hash a second) and again
/// when a coordinator says the token is expired, revoked or signed by a key
/// it no longer knows; a request is sent again once after such a login.
/// Used from one thread (dev's main loop, a benchmark's run).
public final class DevAPI {
    public static let requestTimeout: Duration = .seconds(2)
    static let loginInterval: Duration = .seconds(1)
    /// The 401 codes a new login cures (Docs/ACCESS.md).
    static let renewableCodes: Set<String> = ["token_expired", "unknown_key", "token_revoked"]

    private let group: EventLoopGroup
    private let client: HTTPClient
    private let admin: DevAdmin
    private var token: String?
    private var lastLogin: ContinuousClock.Instant?

    public init(caPath: String, admin: DevAdmin) throws {
        self.admin = admin
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

    /// The body of a 200 answer, or why there is none. `/metrics` is open; every other
    /// path carries the admin's token.
    private func get(_ address: String, _ target: String) -> Result<[UInt8], DevFailure> {
        send("GET", address, target).flatMap { answer in
            answer.status == 200 ? .success(answer.body) : .failure(Self.unexpected(answer, "GET", address, target))
        }
    }

    /// What a coordinator answered: its status and body.
    public struct Answer {
        public let status: Int
        public let body: [UInt8]
    }

    /// `method target` on the coordinator at `address` as the admin (a JSON `body`, if any, or
    /// bytes of `contentType`), within `timeout`: its answer, whatever its status, or why there is none.
    public func send(_ method: String, _ address: String, _ target: String, body: [UInt8]? = nil,
                     contentType: String = "application/json", timeout: Duration = requestTimeout) -> Result<Answer, DevFailure> {
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(parsing: address)
        } catch {
            return .failure(DevFailure("\(address) is not HOST:PORT"))
        }
        let isOpen = target == "/metrics"
        var loggedInForIt = false
        while true {
            var headers = HTTPHeaders()
            if let body, !body.isEmpty { headers.add(name: "Content-Type", value: contentType) }
            if !isOpen {
                if token == nil {
                    if case let .failure(failure) = logIn(at: socketAddress, address) { return .failure(failure) }
                    loggedInForIt = true
                }
                headers.add(name: "Authorization", value: "Bearer " + (token ?? ""))
            }
            let request = HTTPClientRequest(method: method, target: target, headers: headers, body: body ?? [])
            switch client.send(request, to: socketAddress, serverName: socketAddress.host, timeout: timeout) {
            case let .failure(error):
                return .failure(DevFailure("\(method) https://\(address)\(target): \(error)"))
            case let .success(response) where response.head.status == 401 && !isOpen
                && Self.renewableCodes.contains(Self.errorCode(of: response.body) ?? ""):
                token = nil
                if loggedInForIt { return .success(Answer(status: Int(response.head.status), body: response.body)) }
            case let .success(response):
                return .success(Answer(status: Int(response.head.status), body: response.body))
            }
        }
    }

    /// `POST /api/v1/auth/login` as the admin at `address`, keeping the token; at most one
    /// attempt per `loginInterval`, whatever came of the last.
    private func logIn(at socketAddress: SocketAddress, _ address: String) -> Result<Void, DevFailure> {
        let now = ContinuousClock.now
        if let lastLogin, now < lastLogin.advanced(by: Self.loginInterval) {
            return .failure(DevFailure("not logged in yet (dev logs in at most once per \(Self.loginInterval.text))"))
        }
        lastLogin = now
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(LoginRequest(username: DevAdmin.user, password: admin.password)))
        } catch {
            return .failure(DevFailure("cannot encode a login: \(error)"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        let request = HTTPClientRequest(method: "POST", target: "/api/v1/auth/login", headers: headers, body: body)
        switch send(request, to: socketAddress) {
        case let .failure(error):
            return .failure(DevFailure("POST https://\(address)/api/v1/auth/login: \(error)"))
        case let .success(response) where response.head.status != 200:
            return .failure(Self.unexpected(Answer(status: Int(response.head.status), body: response.body), "POST", address,
                                            "/api/v1/auth/login"))
        case let .success(response):
            return decode(LoginAnswer.self, response.body, from: address).map { token = $0.token }
        }
    }

    private func send(_ request: HTTPClientRequest, to address: SocketAddress) -> Result<HTTPClientResponse, HTTPClientError> {
        client.send(request, to: address, serverName: address.host, timeout: Self.requestTimeout)
    }

    static func unexpected(_ answer: Answer, _ method: String, _ address: String, _ target: String) -> DevFailure {
        let text = String(decoding: answer.body.prefix(300), as: UTF8.self)
        return DevFailure("\(method) https://\(address)\(target) answered \(answer.status): \(text)")
    }

    /// The code of an `{"error": {"code": ...}}` answer.
    static func errorCode(of body: [UInt8]) -> String? {
        do {
            return try JSONDecoder().decode(ErrorDocument.self, from: Data(body)).error.code
        } catch {
            return nil
        }
    }

    private struct LoginRequest: Encodable {
        let username: String
        let password: String
    }

    private struct LoginAnswer: Decodable {
        let token: String
    }

    private struct ErrorDocument: Decodable {
        struct Detail: Decodable {
            let code: String
        }

        let error: Detail
    }

    func decode<Value: Decodable>(_ type: Value.Type, _ body: [UInt8], from address: String)
        -> Result<Value, DevFailure> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch {
            return .failure(DevFailure("https://\(address) answered JSON this hotswap cannot read: \(error)"))
        }
    }
}
