import Primitives
import Transport

/// One coordinator agent port as the operator wrote it (`10.0.0.11:7001`,
/// `[fd00::11]:7001`, `coordinator-0.hotswap:7001`, `localhost:7001`) or as a redirect
/// named it. A name is resolved at each dial. The host as written is also the name the
/// coordinator's certificate must carry.
public struct CoordinatorAddress: Sendable, Equatable, CustomStringConvertible {
    public let target: HostPort
    /// Checked against the server certificate (IP or DNS subject alternative name).
    public var serverName: String { target.host }

    /// `source` names where the text came from in the error: the flag, or a coordinator's redirect.
    public init(parsing text: String, source: String = "--coordinators") throws(AgentConfigurationError) {
        do {
            target = try HostPort(parsing: text, flag: source)
        } catch {
            throw .invalid("\(error)")
        }
    }

    /// A comma-separated list, as `--coordinators` takes it.
    public static func parseList(_ text: String) throws(AgentConfigurationError) -> [CoordinatorAddress] {
        var list: [CoordinatorAddress] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            list.append(try CoordinatorAddress(parsing: String(item)))
        }
        guard !list.isEmpty else { throw .invalid("--coordinators needs at least one HOST:PORT") }
        return list
    }

    public var description: String { "\(target)" }
}
