import Fleet
import Rollout

/// How `POST /api/v1/deployments` makes the record it proposes (Docs/DEPLOYMENTS.md, "API and CLI"),
/// pure: the environment's nodes (the replicated node records that name it) sorted by id, each with
/// the version of the module its record lists as its previous one, cut into waves by `WavePlanner`.
/// Refused before anything is proposed: an unknown environment or module version, a deployment of
/// the module in the environment that has not finished, no node, a plan the state would refuse, and
/// one whose entry would not fit the Raft entry limit.
public enum DeploymentPlan {
    /// Why no record was made; the routes map each to its answer.
    public enum Refusal: Error, Sendable, Equatable {
        case unknownEnvironment(String)
        case unknownModule(name: String, version: String)
        case inProgress(id: String)
        case noNodes(environment: String)
        case invalid(String)
        /// The plan of `nodes` nodes would take `bytes`; about `nodesFitting` fit in `maximumBytes`.
        case tooLarge(bytes: Int, maximumBytes: Int, nodes: Int, nodesFitting: Int)
    }

    /// The replicated state a plan reads.
    public struct Inputs: Sendable {
        public var environments: [EnvironmentRecord]
        public var nodes: [String: NodeRecord]
        public var modules: [String: [String: ModuleRecord]]
        public var deployments: [String: DeploymentRecord]

        public init(environments: [EnvironmentRecord], nodes: [String: NodeRecord], modules: [String: [String: ModuleRecord]],
                    deployments: [String: DeploymentRecord]) {
            self.environments = environments
            self.nodes = nodes
            self.modules = modules
            self.deployments = deployments
        }
    }

    /// What an audit context and the `audited` wrapping add to the command, at most: the estimate
    /// of the entry's size is the encoded command plus this.
    public static let auditOverheadBytes = 2_048

    /// The record to propose as `createDeployment`, or why there is none. `entryBytesMaximum` is
    /// the Raft entry limit.
    public static func record(_ body: DeploymentBody, id: String, createdBy: String, nowMilliseconds: UInt64, inputs: Inputs,
                              entryBytesMaximum: Int) -> Result<DeploymentRecord, Refusal> {
        guard let environment = inputs.environments.first(where: { $0.name == body.environment }) else {
            return .failure(.unknownEnvironment(body.environment))
        }
        guard inputs.modules[body.module]?[body.version] != nil else {
            return .failure(.unknownModule(name: body.module, version: body.version))
        }
        let running = inputs.deployments.values.filter {
            !$0.state.isTerminal && $0.module == body.module && $0.environment == body.environment
        }
        if let running = running.min(by: { $0.id < $1.id }) { return .failure(.inProgress(id: running.id)) }
        let members = inputs.nodes.values.filter { $0.environment == body.environment }.sorted { $0.id < $1.id }
        guard !members.isEmpty else { return .failure(.noNodes(environment: body.environment)) }
        let strategy = body.strategy ?? environment.defaultStrategy
        let waves = WavePlanner.plan(nodes: members.map(\.id), strategy: strategy, parameters: body.parameters)
        var nodes: [DeploymentNode] = []
        nodes.reserveCapacity(members.count)
        for (wave, ids) in waves.enumerated() {
            for id in ids {
                let previous = inputs.nodes[id]?.moduleVersions[body.module]
                nodes.append(DeploymentNode(id: id, wave: UInt16(clamping: wave), previousVersion: previous))
            }
        }
        let record = DeploymentRecord(id: id, module: body.module, version: body.version, environment: body.environment,
                                      strategy: strategy, parameters: body.parameters, gate: body.gate,
                                      installConcurrency: body.installConcurrency, createdBy: createdBy,
                                      createdAtMilliseconds: nowMilliseconds, waves: Array(repeating: WaveRecord(), count: waves.count),
                                      nodes: nodes)
        if let reason = record.invalidity { return .failure(.invalid(reason)) }
        let bytes = FleetCodec.encode(.createDeployment(record)).count + auditOverheadBytes
        guard bytes <= entryBytesMaximum else {
            let fitting = nodes.count * max(0, entryBytesMaximum - auditOverheadBytes) / max(1, bytes - auditOverheadBytes)
            return .failure(.tooLarge(bytes: bytes, maximumBytes: entryBytesMaximum, nodes: nodes.count, nodesFitting: fitting))
        }
        return .success(record)
    }

    /// `d-` and 12 lowercase hex digits of `random` (6 bytes from a CSPRNG).
    public static func id(random: [UInt8]) -> String {
        precondition(random.count == idRandomBytes, "a deployment id takes \(idRandomBytes) random bytes")
        let digits = Array("0123456789abcdef")
        return "d-" + String(random.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    public static let idRandomBytes = 6
}
