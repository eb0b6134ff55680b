import CommandLineSupport
import FileSystem
import FoundationEssentials

/// The API side of `hotswap dev`'s demo (`DevDemo`): each call goes to the leader first, then the
/// other coordinators, and is tried again every half second while no coordinator takes it (a
/// follower, an upgrade not yet agreed, a connection refused) up to `callDeadline`; a deployment
/// is read every second until it ends, up to `deploymentDeadline`, each change printed as it comes.
struct DevDemoSteps {
    /// The demo's gate: the values `DeploymentEndToEndTests` found to work on a busy machine. Polls
    /// of 1 s; at least 15 s per wave; latency decides (a 15 % band over a 20 ms floor, above a loaded
    /// machine's jitter and below what the flaw adds in seconds); CPU and memory, shared by every
    /// process on one machine, never do.
    static let policy = """
        {"gate": {"pollIntervalMilliseconds": 1000, "minimumWaitMilliseconds": 15000, "maximumWaitMilliseconds": 120000,
                  "consecutiveStable": 3, "consecutiveFailing": 3,
                  "cpu": {"percent": 100, "floor": 1000}, "memory": {"percent": 100, "floor": 100000},
                  "latency": {"percent": 15, "floor": 20},
                  "hostCPUCeilingPercent": 100, "hostMemoryCeilingPercent": 100, "onFailure": "rollback"},
         "strategyParameters": {"canaryPercents": [25, 50, 100]}}
        """
    static let flawAfterSeconds = 3
    /// The versions and their flaw arguments.
    static let versions: [(String, [String])] = [
        ("1.0.0", []), ("1.1.0", []), ("2.0.0", ["--flaw", "latency", "--flaw-after", "\(flawAfterSeconds)"]),
    ]
    static let callDeadline: Duration = .seconds(60)
    static let uploadTimeout: Duration = .seconds(30)
    /// A write waits for its commit on a busy machine, so it gets longer than a read. A deployment
    /// sent again after a timeout may already exist: its 409 `deployment_in_progress` is followed.
    static let writeTimeout: Duration = .seconds(10)
    static let retryInterval: Duration = .milliseconds(500)
    static let pollInterval: Duration = .seconds(1)
    /// Far beyond the gate's maximum wait for three waves and their installs.
    static let deploymentDeadline: Duration = .seconds(900)
    /// The first port tried for the module; others are drawn below the ephemeral range.
    static let preferredPort = 18_080
    static let portAttempts = 64

    let api: DevAPI
    /// The coordinators' API addresses, the leader's first.
    let addresses: [String]
    let signals: DevSignals
    let describe: DevSettings.DeploymentLines?

    /// A port P such that P and P + 1, moved by every agent's offset, are free on loopback now.
    static func modulePort(agents: Int) throws(DevFailure) -> Int {
        let offsets = (0..<max(agents, 1)).map { DevLayout.modulePortOffset(index: $0) }
        var candidates = [preferredPort]
        for _ in 1..<portAttempts { candidates.append(Int.random(in: 10_000..<30_000)) }
        for port in candidates where offsets.allSatisfy({ [port + $0, port + 1 + $0].allSatisfy { DevPorts.isFree(UInt16($0)) } }) {
            return port
        }
        throw DevFailure("found no port P with P and P + 1 free for every agent in \(portAttempts) tries")
    }

    func upload(_ version: String, artifact: String) throws -> Void {
        let bytes = try FileReader.read(artifact, maximumBytes: SampleModulePacking.binaryBytesMaximum)
        let answer = try call("PUT", "/api/v1/modules/\(DevDemo.module)/\(version)", body: bytes, contentType: "application/gzip",
                              timeout: Self.uploadTimeout)
        let again = answer.status == 200 ? ", already there" : ""
        StandardOutput.line("demo: uploaded \(DevDemo.module) \(version) (\(bytes.count) bytes)\(again)")
    }

    func setPolicy() throws {
        _ = try call("PUT", "/api/v1/environments/development/rollout-policy", body: Array(Self.policy.utf8), timeout: Self.writeTimeout)
    }

    /// Starts a deployment of `version` to development and follows it to its end; its last state.
    func deploy(_ version: String, strategy: String, saying note: String) throws -> String {
        let body = "{\"module\":\"\(DevDemo.module)\",\"version\":\"\(version)\",\"environment\":\"development\","
            + "\"strategy\":\"\(strategy)\"}"
        let answer = try call("POST", "/api/v1/deployments", body: Array(body.utf8), timeout: Self.writeTimeout) {
            $0.status == 409 && DevAPI.errorCode(of: $0.body) == "deployment_in_progress"
        }
        let id = answer.status == 409 ? try runningDeployment(of: version, refused: answer) : try decode(Started.self, answer.body).id
        StandardOutput.line("demo: \(note): deployment \(id)")
        var previous: (body: [UInt8], state: String)?
        let deadline = ContinuousClock.now.advanced(by: Self.deploymentDeadline)
        while true {
            let read = try call("GET", "/api/v1/deployments/\(id)")
            let state = try decode(Progress.self, read.body).state
            let lines = describe.map { $0(previous?.body, read.body) } ?? (previous?.state == state ? [] : ["\(id): \(state)"])
            for line in lines { StandardOutput.line("  " + DevEvent.stamped(TerminalText.printable(line, maximumBytes: 4_096))) }
            previous = (read.body, state)
            if Progress.terminalStates.contains(state) { return state }
            guard ContinuousClock.now < deadline else {
                throw DevFailure("deployment \(id) did not end within \(Self.deploymentDeadline.text)")
            }
            if signals.pause(Self.pollInterval) { throw DevInterruption() }
        }
    }

    /// The id of the unfinished deployment of `version` that refused a POST 409 `deployment_in_progress`:
    /// the demo's own, when a POST that timed out had made it and was sent again. Any other is a real conflict.
    private func runningDeployment(of version: String, refused: DevAPI.Answer) throws -> String {
        let listing = try call("GET", "/api/v1/deployments?module=\(DevDemo.module)&environment=development&limit=1")
        guard let newest = try decode(Listing.self, listing.body).deployments.first, newest.version == version,
              !Progress.terminalStates.contains(newest.state) else {
            throw DevAPI.unexpected(refused, "POST", addresses[0], "/api/v1/deployments")
        }
        return newest.id
    }

    /// `method target` on the leader, else the other coordinators, again until one takes it; a 2xx
    /// answer, or one that `accepting` takes.
    private func call(_ method: String, _ target: String, body: [UInt8]? = nil, contentType: String = "application/json",
                      timeout: Duration = DevAPI.requestTimeout,
                      accepting: (DevAPI.Answer) -> Bool = { _ in false }) throws -> DevAPI.Answer {
        let deadline = ContinuousClock.now.advanced(by: Self.callDeadline)
        var last = "no coordinator answered"
        while true {
            for address in addresses {
                switch api.send(method, address, target, body: body, contentType: contentType, timeout: timeout) {
                case let .success(answer) where (200...299).contains(answer.status) || accepting(answer): return answer
                case let .success(answer) where answer.status == 503 || answer.status == 421:
                    last = DevAPI.unexpected(answer, method, address, target).description
                case let .success(answer): throw DevAPI.unexpected(answer, method, address, target)
                case let .failure(failure): last = failure.description
                }
            }
            guard ContinuousClock.now < deadline else { throw DevFailure("\(last) (for \(Self.callDeadline.text))") }
            if signals.pause(Self.retryInterval) { throw DevInterruption() }
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ body: [UInt8]) throws(DevFailure) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw DevFailure("a coordinator answered JSON this hotswap cannot read: \(error)")
        }
    }

    private struct Started: Decodable {
        let id: String
    }

    /// The newest deployments of a list answer, as far as the demo reads them.
    private struct Listing: Decodable {
        struct Entry: Decodable {
            let id: String
            let version: String
            let state: String
        }

        let deployments: [Entry]
    }

    /// What the demo reads of a deployment itself; the lines it prints come from `describe`.
    private struct Progress: Decodable {
        static let terminalStates: Set<String> = ["succeeded", "rolled_back", "aborted", "failed"]
        let state: String
    }
}
