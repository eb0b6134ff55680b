import Foundation

/// The checks a `systemctl enable --now` makes before it starts a unit, for what the test's stand-in
/// for systemd would otherwise let pass: the unit runs as the page's user, its `ExecStart` and
/// `--config` lie in the machine's root (the page's PREFIX and ETC agree with the unit), the
/// configuration's `data-dir` (and an agent's `tls-dir`, which enrollment and renewal write) lie in
/// the paths the unit may write, and no configured path lies in a home directory or the copied files.
extension WalkthroughMachines {
    /// The settings naming the user each unit must run as.
    static let unitUsers = ["hotswap-coordinator": "COORDINATOR_USER", "hotswap-agent": "AGENT_USER"]

    func check(_ unit: WalkthroughUnit, named name: String, on machine: Machine) throws {
        let refuse = { (why: String) in WalkthroughDocument.Refusal(description: "\(name) on \(machine.name): \(why)") }
        guard let setting = Self.unitUsers[name] else { throw refuse("not a unit of the walkthrough") }
        guard unit.user == pageSettings[setting] else {
            throw refuse("the unit runs as User=\(unit.user ?? "root"), the page's \(setting) is \(pageSettings[setting] ?? "unset")")
        }
        let root = machine.root + "/"
        guard let executable = unit.command.first, executable.hasPrefix(root) else {
            throw refuse("ExecStart \(unit.command.first ?? "") is not where the page's PREFIX installs it")
        }
        guard let flag = unit.command.firstIndex(of: "--config"), flag + 1 < unit.command.count,
              unit.command[flag + 1].hasPrefix(root) else {
            throw refuse("ExecStart names no --config where the page's ETC puts it: \(unit.command)")
        }
        let configuration = try Self.configuration(at: unit.command[flag + 1])
        let writable = name == "hotswap-agent" ? ["data-dir", "tls-dir"] : ["data-dir"]
        for key in writable {
            guard let value = configuration[key] else { throw refuse("the configuration has no \(key)") }
            guard unit.writablePaths.contains(where: { value == $0 || value.hasPrefix($0 + "/") }) else {
                throw refuse("\(key) = \(value) is outside the paths the unit may write \(unit.writablePaths)")
            }
        }
        let home = machine.root + "/home"
        for (key, value) in configuration where value.hasPrefix("/") {
            guard value.hasPrefix(root), value != home, !value.hasPrefix(home + "/") else {
                throw refuse("\(key) = \(value) is not a system path of the host (a home directory or the copied files)")
            }
        }
    }

    /// The `key = value` lines of a HotSwap configuration file (comments and blank lines aside).
    static func configuration(at path: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.hasPrefix("#"), let equals = text.firstIndex(of: "=") else { continue }
            values[text[..<equals].trimmingCharacters(in: .whitespaces)] = text[text.index(after: equals)...]
                .trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}
