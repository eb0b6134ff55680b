import Primitives
import Transport

/// One coordinator agent port as the operator wrote it (`10.0.0.11:7001`,
/// `[fd00::11]:7001`, `localhost:7001`) or as a redirect named it. The host
/// as written is also the name the coordinator's certificate must carry.
public struct CoordinatorAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: SocketAddress
    /// Checked against the server certificate (IP or DNS subject alternative name).
    public let serverName: String

    public init(parsing text: String) throws(AgentConfigurationError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw .invalid("coordinator address '\(text)' is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalid("coordinator address '\(text)' has no host") }
        do {
            address = try SocketAddress(parsing: text)
        } catch {
            throw .invalid("coordinator address '\(text)': \(error)")
        }
        serverName = host
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

    public var description: String { "\(address)" }
}
