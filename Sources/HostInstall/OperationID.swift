import Modules

/// What names one command from the leader, so a repeated command is recognised: the
/// deployment, its wave, and what the command asks for (a version, or a switch back).
public struct OperationID: Hashable, Sendable, CustomStringConvertible {
    /// What an operation asks the host to do.
    public enum Kind: Hashable, Sendable {
        /// Install this version and switch to it.
        case install(version: String)
        /// Switch to the newest retained version before the current one.
        case switchBack
    }

    public var deploymentID: String
    public var wave: UInt32
    public var kind: Kind

    public init(deploymentID: String, wave: UInt32, kind: Kind) {
        self.deploymentID = deploymentID
        self.wave = wave
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case let .install(version): "\(deploymentID)/wave \(wave)/install \(version)"
        case .switchBack: "\(deploymentID)/wave \(wave)/switch back"
        }
    }

    /// Why this id cannot be recorded, or nil when it can.
    public func refusal() -> String? {
        let bytes = Array(deploymentID.utf8)
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        guard !bytes.isEmpty, bytes.count <= InstallLimits.deploymentIDBytesMaximum, allowed else {
            return "deployment id must be 1 to \(InstallLimits.deploymentIDBytesMaximum) letters, digits, '.', '_' and '-'"
        }
        if case let .install(version) = kind {
            do { try ModuleManifest.checkVersion(version) } catch { return error.description }
        }
        return nil
    }
}
