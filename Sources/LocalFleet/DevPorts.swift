import FileSystem
import Primitives
import Transport

/// The loopback ports of `hotswap dev`'s three coordinators. By default they
/// are fixed — API 8443–8445, peer 7000/7010/7020, agent 7001/7011/7021 —
/// and every one is checked free before anything is made or started, so a
/// second dev fails at once with a message naming the port, before it has
/// made certificates or started anything.
/// `--api-port 0` lets the coordinators pick their API ports and
/// `--port-base 0` their agent ports, read back from their logs; peer ports
/// must be known before start (`--initial-cluster`), so those are drawn free
/// from below the ephemeral range, where no port-0 bind can take them.
public struct DevPorts: Equatable {
    public static let host = "127.0.0.1"
    /// `host` as an address; `withPort` gives each port without parsing again.
    private static let loopback = SocketAddress.loopbackIPv4
    public static let defaultAPIPort: UInt16 = 8443
    public static let defaultPortBase: UInt16 = 7000
    /// Coordinator i uses peer port `base + i × step` and agent port one above.
    static let portBaseStep: UInt16 = 10
    /// The largest API port and port base that leave room for every coordinator's ports
    /// (`plan` refuses beyond them too; the command line refuses them as out of range).
    public static let apiPortMaximum = Int(UInt16.max) - (DevLayout.coordinatorNames.count - 1)
    public static let portBaseMaximum = Int(UInt16.max) - (DevLayout.coordinatorNames.count - 1) * Int(portBaseStep) - 1

    /// A port that both the API ports from `apiPort` and the peer and agent ports from
    /// `portBase` would take; nil when they are apart or either is chosen by the system (0).
    public static func sharedPort(apiPort: UInt16, portBase: UInt16) -> UInt16? {
        guard apiPort != 0, portBase != 0 else { return nil }
        let count = DevLayout.coordinatorNames.count
        let api = (0..<count).map { Int(apiPort) + $0 }
        let peerAndAgent = (0..<count).flatMap { index in
            [Int(portBase) + index * Int(portBaseStep), Int(portBase) + index * Int(portBaseStep) + 1]
        }
        return api.first(where: peerAndAgent.contains).map { UInt16($0) }
    }

    /// Per coordinator; 0 means "the coordinator picks one".
    public let api: [UInt16]
    /// Per coordinator; never 0.
    public let peer: [UInt16]
    /// Per coordinator; 0 means "the coordinator picks one".
    public let agent: [UInt16]

    /// Plans the ports of `names` from the two bases, checking fixed ports
    /// free and drawing free peer ports below the ephemeral range.
    public static func plan(apiPort: UInt16, portBase: UInt16, names: [String]) throws(DevFailure) -> DevPorts {
        let count = UInt16(names.count)
        var wanted: [(UInt16, String)] = []
        var api = [UInt16](repeating: 0, count: names.count)
        if apiPort != 0 {
            guard Int(apiPort) + Int(count) - 1 <= Int(UInt16.max) else {
                throw DevFailure("--api-port \(apiPort) leaves no room for \(count) API ports")
            }
            api = (0..<count).map { apiPort + $0 }
            wanted += zip(api, names).map { ($0, "\($1) API") }
        }
        let peer: [UInt16]
        var agent = [UInt16](repeating: 0, count: names.count)
        if portBase != 0 {
            guard Int(portBase) + Int(count - 1) * Int(portBaseStep) + 1 <= Int(UInt16.max) else {
                throw DevFailure("--port-base \(portBase) leaves no room for \(count) peer and agent ports")
            }
            peer = (0..<count).map { portBase + $0 * portBaseStep }
            agent = peer.map { $0 + 1 }
            wanted += zip(peer, names).map { ($0, "\($1) peer") } + zip(agent, names).map { ($0, "\($1) agent") }
        } else {
            peer = try reserveBelowEphemeralRange(names.count)
        }
        try requireFree(wanted)
        return DevPorts(api: api, peer: peer, agent: agent)
    }

    /// The ports `endpoints` (one per coordinator, in order) bound: what a
    /// restarted coordinator binds again, so the other coordinators and the
    /// agents find it where it was.
    static func bound(_ endpoints: [CoordinatorEndpoints]) throws(DevFailure) -> DevPorts {
        func port(_ address: String) throws(DevFailure) -> UInt16 {
            do {
                return try SocketAddress(parsing: address).port
            } catch {
                throw DevFailure("a coordinator logged the address '\(address)', which is not HOST:PORT")
            }
        }
        var api: [UInt16] = [], peer: [UInt16] = [], agent: [UInt16] = []
        for endpoint in endpoints {
            api.append(try port(endpoint.api))
            peer.append(try port(endpoint.peer))
            agent.append(try port(endpoint.agent))
        }
        return DevPorts(api: api, peer: peer, agent: agent)
    }

    /// Fails, naming every port that is taken, unless all of `ports` can be bound on the host.
    static func requireFree(_ ports: [(UInt16, String)]) throws(DevFailure) {
        let taken = ports.filter { port, _ in !isFree(port) }
        guard !taken.isEmpty else { return }
        let list = taken.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")
        throw DevFailure("""
            port\(taken.count == 1 ? "" : "s") \(list) \(taken.count == 1 ? "is" : "are") already in use on \(host) \
            (another hotswap dev or Scripts/run?). Choose others with --api-port N and --port-base N, \
            or pass --api-port 0 --port-base 0 for ports the system picks.
            """)
    }

    /// True when a listener could bind `port` on the dev host now.
    static func isFree(_ port: UInt16) -> Bool {
        ListeningPort.isFree(loopback.withPort(port))
    }

    /// `count` distinct ports below the kernel's ephemeral range, each free when checked. A port
    /// handed out for port 0 and released again could be handed to a coordinator's own port-0 API
    /// or agent listener before its peer listener binds it; no port-0 bind is given one of these.
    private static func reserveBelowEphemeralRange(_ count: Int) throws(DevFailure) -> [UInt16] {
        let ceiling = min(PortReservation.ephemeralRangeStart(), PortReservation.defaultEphemeralRangeStart)
        guard ceiling > PortReservation.candidatesFloor else {
            throw DevFailure("no loopback port below the ephemeral range (it starts at \(ceiling)): pass --port-base N")
        }
        var ports: [UInt16] = []
        for _ in 0..<PortReservation.candidateTriesMaximum where ports.count < count {
            let candidate = UInt16.random(in: UInt16(PortReservation.candidatesFloor)..<UInt16(ceiling))
            if !ports.contains(candidate), isFree(candidate) { ports.append(candidate) }
        }
        guard ports.count == count else {
            throw DevFailure("cannot find \(count) free loopback ports below the ephemeral range: pass --port-base N")
        }
        return ports
    }
}
