import FoundationEssentials
import Glibc
import LocalFleet
import Primitives
import Transport
import Wire

/// Where the CLI's API calls go, how the server is verified and who the caller is: flags, then
/// `HOTSWAP_ADDR` / `HOTSWAP_CA` / `HOTSWAP_TOKEN` / `HOTSWAP_CERT` / `HOTSWAP_KEY`, then defaults
/// (the credential: `APICredential`'s order, the stored login last; a token and a certificate at
/// one level are refused, and a certificate is presented only when it is the credential). Every
/// request carries the token, if any, as `Authorization: Bearer`, and an answer refusing the
/// caller (401, 403, a rate limit's 429) ends the command as one line (`AccessRefusal`). The
/// address may list several members, comma-separated; `APIFailover` tries them in order. `--timeout` is one deadline for the
/// whole command, from when its options were read, whatever number of requests it makes.
struct APIClientOptions {
    static let addressFlag = Flag("addr", .text("https://HOST:PORT,..."), .described("$HOTSWAP_ADDR, else https://127.0.0.1:8443"),
                                  help: "the coordinators to ask, comma-separated, tried in order (any member; followers forward)")
    static let caFlag = Flag("ca", .text("CA.pem"), .described("$HOTSWAP_CA"),
                             help: "the cluster CA certificate the coordinator's certificate is checked against")
    /// The whole command, every request and retry included: 100 ms is a loopback round trip with
    /// room to spare; beyond 10 minutes a waiting operator has long given up. The default rides
    /// out an election, and with several addresses a member that is down or frozen.
    static let timeoutFlag = Flag("timeout", .duration(.milliseconds(100) ... .seconds(600)), .value("30s"),
                                  help: "how long to keep trying (other members, 503 answers) before giving up")
    static let tokenFileFlag = Flag("token-file", .text("FILE"), .described("$HOTSWAP_TOKEN, else the login 'hotswap login' stored"),
                                    help: "read the API token from FILE")
    static let certificateFlag = Flag("cert", .text("CERT.pem"), .described("$HOTSWAP_CERT"),
                                      help: "an operator certificate of the cluster CA to act as the user it names, with --key")
    static let keyFlag = Flag("key", .text("KEY.pem"), .described("$HOTSWAP_KEY"), help: "the private key of --cert")
    static let flags = [addressFlag, caFlag, tokenFileFlag, certificateFlag, keyFlag, Flag.output, timeoutFlag]
    /// A login's: it sends no token and no certificate.
    static let loginFlags = flags.filter { ![tokenFileFlag.name, certificateFlag.name, keyFlag.name].contains($0.name) }
    /// More addresses than any cluster has members is a mistake, not a list.
    static let addressesMaximum = 16

    let addresses: [HostPort]
    let caPath: String
    let wantsJSON: Bool
    let timeout: Duration
    let credential: APICredential
    /// The client certificate and key the connections present (`--cert`, `--key`), if any.
    let clientCertificate: APIFailure.ClientCertificate?
    private var failover: APIFailover
    /// The connections' TLS context, one for the whole command.
    private let context = ClientContext()

    /// With `authenticating` false (a login) no token or certificate is looked for or sent;
    /// `defaultTimeout` replaces the flag's default when `--timeout` is not given; `readsOutputFlag`
    /// false: the command's `--output` is its own (a file), not `table|json`.
    init(_ options: CommandLineOptions, authenticating: Bool = true, defaultTimeout: Duration? = nil,
         readsOutputFlag: Bool = true) throws {
        let list = options.text(Self.addressFlag) ?? Self.environment("HOTSWAP_ADDR") ?? "https://127.0.0.1:8443"
        addresses = try Self.parseAddresses(list)
        guard let ca = options.text(Self.caFlag) ?? Self.environment("HOTSWAP_CA") else {
            throw UsageError("--ca (or HOTSWAP_CA) must name the cluster CA certificate, e.g. DIR/ca.pem")
        }
        caPath = ca
        wantsJSON = try readsOutputFlag && options.choice(.output) == "json"
        if !options.isGiven(Self.timeoutFlag), let defaultTimeout {
            timeout = defaultTimeout
        } else {
            timeout = try options.duration(Self.timeoutFlag)
        }
        guard authenticating else {
            (credential, clientCertificate) = (APICredential(source: .none, token: nil), nil)
            failover = APIFailover(addresses: addresses, caPath: caPath, clientCertificate: nil, timeout: timeout)
            return
        }
        let tokenFile = options.text(Self.tokenFileFlag)
        let environmentToken = Self.environment("HOTSWAP_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
        let flagCertificate = try Self.clientCertificate(options.text(Self.certificateFlag), key: options.text(Self.keyFlag),
                                                          names: ("--cert", "--key"))
        if tokenFile != nil, flagCertificate != nil {
            throw UsageError("give one credential: --token-file or --cert, not both")
        }
        // The environment's credentials are looked at only when no flag gives one: a flag outranks them.
        let isFlagGiven = tokenFile != nil || flagCertificate != nil
        let environmentCertificate = isFlagGiven ? nil
            : try Self.clientCertificate(Self.environment("HOTSWAP_CERT"), key: Self.environment("HOTSWAP_KEY"),
                                         names: ("HOTSWAP_CERT", "HOTSWAP_KEY"))
        if environmentToken != nil, environmentCertificate != nil {
            throw UsageError("give one credential: HOTSWAP_TOKEN or HOTSWAP_CERT, not both (a flag, --token-file or --cert, "
                             + "outranks both)")
        }
        let given = flagCertificate ?? environmentCertificate
        let level: APICredential.Level = flagCertificate == nil ? .environment : .flag
        credential = try APICredential.resolve(tokenFilePath: tokenFile, environmentToken: environmentToken,
                                               storedLoginPath: Self.storedLoginPath,
                                               certificate: given.map { ($0.certificatePath, level) })
        if case .certificate = credential.source { clientCertificate = given } else { clientCertificate = nil }
        failover = APIFailover(addresses: addresses, caPath: caPath, clientCertificate: clientCertificate?.certificatePath,
                               timeout: timeout)
    }

    /// A certificate and its key given at one level (`--cert` and `--key`, or `HOTSWAP_CERT` and
    /// `HOTSWAP_KEY`): both or neither.
    private static func clientCertificate(_ certificate: String?, key: String?,
                                          names: (certificate: String, key: String)) throws(UsageError) -> APIFailure.ClientCertificate? {
        switch (certificate, key) {
        case let (certificate?, key?): return APIFailure.ClientCertificate(certificatePath: certificate, keyPath: key)
        case (nil, nil): return nil
        case (.some, nil): throw UsageError("\(names.certificate) needs \(names.key): the certificate's private key")
        case (nil, .some): throw UsageError("\(names.key) needs \(names.certificate): the certificate it belongs to")
        }
    }

    /// Where `hotswap login` keeps its token, or why there is no such place.
    static var storedLoginPath: String? {
        StoredLogin.path(configHome: environment("XDG_CONFIG_HOME"), home: environment("HOME"))
    }

    /// `https://a:1,b:2/` → the two addresses, in order; the scheme and trailing slashes are optional.
    /// A host is numeric, `localhost` (read as 127.0.0.1, as always), or a DNS name resolved at each
    /// attempt (`APIFailover.send`), which the coordinator's certificate must carry.
    static func parseAddresses(_ list: String) throws(UsageError) -> [HostPort] {
        let items = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard !items.isEmpty, items.count <= addressesMaximum else {
            throw UsageError("--addr (or HOTSWAP_ADDR) takes 1 to \(addressesMaximum) addresses, not \(items.count)")
        }
        return try items.map { item throws(UsageError) in
            var hostPort = Substring(item)
            if hostPort.hasPrefix("https://") { hostPort = hostPort.dropFirst("https://".count) }
            while hostPort.hasSuffix("/") { hostPort = hostPort.dropLast() }
            do {
                return try HostPort(parsingLocalhostAsLoopback: String(hostPort), flag: "--addr (or HOTSWAP_ADDR)")
            } catch {
                throw UsageError("\(error)")
            }
        }
    }

    /// Sends one request, riding out a failover (`APIFailover`), within `limit` from now if given
    /// and the command's deadline; throws one line a user can act on.
    func send(_ method: String, _ target: String, body: [UInt8] = [], within limit: Duration? = nil,
              user: String? = nil, responseBodyMaximumBytes: Int = HTTPClient.responseBodyMaximumBytes) throws -> HTTPClientResponse {
        try exchange(method, target, body: body, within: limit, user: user, responseBodyMaximumBytes: responseBodyMaximumBytes).response
    }

    /// `send`, telling also whether a DELETE's 404 follows an attempt that may have carried it out.
    /// An answer refusing the caller is thrown (`APIFailure.refusal`); `user` names a login's account.
    /// `patient`: see `APIFailover.send`.
    func exchange(_ method: String, _ target: String, body: [UInt8] = [], headers extra: HTTPHeaders = HTTPHeaders(),
                  within limit: Duration? = nil, user: String? = nil, patient: Bool = false,
                  responseBodyMaximumBytes: Int = HTTPClient.responseBodyMaximumBytes) throws -> APIFailover.Answer {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group, context: try context.get {
            try APIFailure.clientContext(caPath: caPath, certificate: clientCertificate)
        })
        var headers = extra
        if let token = credential.token { headers.add(name: "Authorization", value: "Bearer " + token) }
        let request = HTTPClientRequest(method: method, target: target, headers: headers, body: body,
                                        responseBodyMaximumBytes: responseBodyMaximumBytes)
        let answer = try failover.send(request, client: client,
                                       until: limit.map { MonotonicInstant.now().advanced(by: $0) }, patient: patient)
        if let refusal = APIFailure.refusal(answer.response, credential: credential.source, user: user) { throw refusal }
        return answer
    }

    /// These options with a fresh `--timeout` for what follows: a watch keeps its addresses,
    /// credential and TLS context (read and built once) across reads that outlast one timeout.
    func renewed() -> APIClientOptions {
        var copy = self
        copy.failover = APIFailover(addresses: addresses, caPath: caPath, clientCertificate: failover.clientCertificate,
                                    timeout: timeout)
        return copy
    }

    /// These options asking only `address`, once per request (no retry after a 503, 429 or timeout),
    /// with `timeout` for all its requests (a debug bundle asks each member in turn and records what
    /// it answers; the others are not a fallback there).
    func asking(only address: HostPort, timeout: Duration) -> APIClientOptions {
        var copy = self
        copy.failover = APIFailover(addresses: [address], caPath: caPath, clientCertificate: failover.clientCertificate,
                                    timeout: timeout, singleAttempt: true)
        return copy
    }

    /// GETs `path`: prints the JSON as it came for `--output json`, else decodes it and hands
    /// it to `render`. An error answer is one line on standard error and exit status 1.
    func read<Value: Decodable>(_ path: String, as type: Value.Type, render: (Value) -> Void) throws -> Int32 {
        let response = try send("GET", path)
        guard response.head.status == 200 else { throw APIFailure(answer: response) }
        if wantsJSON {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            render(try Self.decode(Value.self, from: response.body))
        }
        return 0
    }

    /// Decodes an answer, or says in one line that this build cannot read it.
    static func decode<Value: Decodable>(_ type: Value.Type, from body: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw APIFailure(message: "the coordinator's answer cannot be read by this hotswap",
                             hint: "is it a different version? -o json shows the answer as it came")
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// A command's client TLS context, built at its first request (so a command that stops before
/// sending reads no CA, certificate or key) and reused by the later ones.
private final class ClientContext {
    private var built: TLSContext?

    func get(_ build: () throws -> TLSContext) throws -> TLSContext {
        if let built { return built }
        let context = try build()
        built = context
        return context
    }
}
