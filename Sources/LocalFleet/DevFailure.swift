import ModuleSupervision

/// Why `hotswap dev` stops on its own: a message that names the process at
/// fault and carries its log's last lines, printed before dev stops the rest
/// of the fleet and exits 1.
public struct DevFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// `name` ended on its own (or never got going): its status and log tail.
    static func ended(_ child: ChildProcess, _ status: ExitStatus) -> DevFailure {
        DevFailure("\(child.name) (pid \(child.pid)) \(status)\n" + LogFile.tailBlock(child))
    }
}

/// The user asked `hotswap dev` to stop (Ctrl-C or SIGTERM) before the fleet
/// was ready; dev stops what it started and exits 0.
public struct DevInterruption: Error {}
