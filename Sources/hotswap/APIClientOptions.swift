import FoundationEssentials
import Glibc
import Primitives
import Transport

/// Where the CLI's API calls go and how the server is verified: flags, then
/// `HOTSWAP_ADDR` / `HOTSWAP_CA`, then defaults.
struct APIClientOptions {
    static let addressFlag = Flag("addr", .text("https://HOST:PORT"), .described("$HOTSWAP_ADDR, else https://127.0.0.1:8443"),
                                  help: "the coordinator to ask (any member; followers forward operations)")
    static let caFlag = Flag("ca", .text("CA.pem"), .described("$HOTSWAP_CA"),
                             help: "the cluster CA certificate the coordinator's certificate is checked against")
    /// The whole request, from connecting to the last byte of the answer: 100 ms is a loopback
    /// round trip with room to spare; beyond 10 minutes a waiting operator has long given up.
    static let timeoutFlag = Flag("timeout", .duration(.milliseconds(100) ... .seconds(600)), .value("10s"),
                                  help: "how long to wait for the answer")
    static let flags = [addressFlag, caFlag, Flag.output, timeoutFlag]

    let host: String
    let port: UInt16
    let caPath: String
    let wantsJSON: Bool
    let timeout: Duration

    init(_ options: CommandLineOptions) throws {
        let address = options.text(Self.addressFlag) ?? Self.environment("HOTSWAP_ADDR") ?? "https://127.0.0.1:8443"
        var hostPort = Substring(address)
        if hostPort.hasPrefix("https://") { hostPort = hostPort.dropFirst("https://".count) }
        while hostPort.hasSuffix("/") { hostPort = hostPort.dropLast() }
        let parsed: SocketAddress
        do {
            parsed = try SocketAddress(parsing: String(hostPort))
        } catch {
            throw UsageError("--addr (or HOTSWAP_ADDR): \(error)")
        }
        host = parsed.host
        port = parsed.port
        guard let ca = options.text(Self.caFlag) ?? Self.environment("HOTSWAP_CA") else {
            throw UsageError("--ca (or HOTSWAP_CA) must name the cluster CA certificate, e.g. DIR/ca.pem")
        }
        caPath = ca
        wantsJSON = try options.choice(.output) == "json"
        timeout = try options.duration(Self.timeoutFlag)
    }

    /// Sends one request and returns the response, or throws with a message a user can act on.
    func send(_ method: String, _ target: String, body: [UInt8] = []) throws -> HTTPClientResponse {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let context = try TLSContext(TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: caPath,
                                                      peerVerification: .none), side: .client)
        let client = HTTPClient(group: group, context: context)
        let address = try SocketAddress(host: host, port: port)
        return try client.send(HTTPClientRequest(method: method, target: target, body: body), to: address,
                               serverName: host, timeout: timeout).get()
    }

    /// GETs `path`: prints the JSON as it came for `--output json`, else
    /// decodes it and hands it to `render`. A non-200 answer is printed and
    /// gives exit status 1.
    func read<Value: Decodable>(_ path: String, as type: Value.Type, render: (Value) -> Void) throws -> Int32 {
        let response = try send("GET", path)
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.head.status == 200 else {
            printError("hotswap: the coordinator answered \(response.head.status): \(text)")
            return 1
        }
        if wantsJSON {
            print(text)
        } else {
            render(try JSONDecoder().decode(Value.self, from: Data(response.body)))
        }
        return 0
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
