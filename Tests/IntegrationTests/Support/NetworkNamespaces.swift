import Foundation
import TestSupport

/// A private network for partition tests, built with `ip netns`: a hub
/// namespace holding a bridge, and one namespace per member joined to the hub
/// by a veth pair (`eth0` inside the member, `v-NAME` on the hub's bridge),
/// with `lo` up in each. Cutting a member is `ip link set v-NAME down` on the
/// hub: the member's packets are silently dropped both ways, as with a pulled
/// cable, while processes inside can still be reached through their own
/// namespace's loopback.
///
/// The bridge lives in its own namespace rather than the host's, so bridged
/// frames never meet the host's `br_netfilter`/iptables rules (a Docker-style
/// `FORWARD DROP` would otherwise swallow them), and no host route or address
/// is touched: the subnet cannot clash with the host's. Names carry the test
/// process's pid, so parallel runs never share one; `init` first removes what
/// aborted runs left behind, and `remove` (also run by `deinit`) deletes it all.
final class NetworkNamespaces {
    static let prefix = "hotswap-np-"
    static let subnet = "10.213.47"

    let members: [String]
    let hub: String
    private let namespaces: [String: String]
    private var isRemoved = false

    init(members: [String]) throws {
        Self.removeLeftovers()
        let stem = "\(Self.prefix)\(getpid())-"
        self.members = members
        hub = stem + "hub"
        namespaces = Dictionary(uniqueKeysWithValues: members.map { ($0, stem + $0) })
        do {
            try build()
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// The member's address on the shared subnet: `.1` for the first member, and so on.
    func address(of member: String) -> String {
        "\(Self.subnet).\((members.firstIndex(of: member) ?? 0) + 1)"
    }

    func namespace(of member: String) -> String { namespaces[member]! }

    /// Prefix that runs a command inside the member's namespace.
    func exec(in member: String) -> [String] { ["ip", "netns", "exec", namespace(of: member)] }

    /// Cuts the member off: its hub-side veth goes down, so nothing crosses either way.
    func isolate(_ member: String) throws {
        try Self.ip(["-n", hub, "link", "set", "v-\(member)", "down"])
    }

    /// Undoes `isolate`.
    func heal(_ member: String) throws {
        try Self.ip(["-n", hub, "link", "set", "v-\(member)", "up"])
    }

    /// Deletes every namespace this value made; their veths and the bridge go with them.
    /// Processes still inside keep their namespace alive, so stop them first.
    func remove() {
        guard !isRemoved else { return }
        isRemoved = true
        for name in [hub] + members.compactMap({ namespaces[$0] }) {
            _ = try? ExternalCommand.run(["ip", "netns", "delete", name])
        }
    }

    private func build() throws {
        try Self.ip(["netns", "add", hub])
        try Self.ip(["-n", hub, "link", "add", "br0", "type", "bridge"])
        try Self.ip(["-n", hub, "link", "set", "br0", "up"])
        for member in members {
            let namespace = namespace(of: member)
            try Self.ip(["netns", "add", namespace])
            try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
            try Self.ip(["-n", hub, "link", "add", "v-\(member)", "type", "veth", "peer", "name", "eth0",
                         "netns", namespace])
            try Self.ip(["-n", hub, "link", "set", "v-\(member)", "master", "br0", "up"])
            try Self.ip(["-n", namespace, "address", "add", "\(address(of: member))/24", "dev", "eth0"])
            try Self.ip(["-n", namespace, "link", "set", "eth0", "up"])
        }
    }

    /// Namespaces with our prefix whose creating process is gone: kills what
    /// still runs inside (coordinators an aborted run left) and deletes them.
    static func removeLeftovers() {
        guard let listing = try? ExternalCommand.run(["ip", "netns", "list"]), listing.status == 0 else { return }
        let names = listing.standardOutput.split(separator: "\n").compactMap { $0.split(separator: " ").first }
        for name in names.map(String.init) where name.hasPrefix(prefix) {
            let owner = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(owner), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if let pids = try? ExternalCommand.run(["ip", "netns", "pids", name]) {
                for leftover in pids.standardOutput.split(separator: "\n").compactMap({ Int32($0) }) {
                    kill(leftover, SIGKILL)
                }
            }
            _ = try? ExternalCommand.run(["ip", "netns", "delete", name])
        }
    }

    private static func ip(_ arguments: [String]) throws {
        let output = try ExternalCommand.run(["ip"] + arguments)
        guard output.status == 0 else {
            throw SetupFailure(command: "ip " + arguments.joined(separator: " "), output: output.combined)
        }
    }

    /// An `ip` command that failed while building the network.
    struct SetupFailure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed: \(output)" }
    }
}
