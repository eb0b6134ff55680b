import Modules

/// What names one command from the leader, so a repeated command is recognised: the
/// deployment, its wave, the attempt within the wave, and what the command asks for (a version,
/// or undoing one). An id whose operation completed is final: running the same version again in
/// the same wave takes a new attempt number.
public struct OperationID: Hashable, Sendable, CustomStringConvertible {
    /// What an operation asks the host to do.
    public enum Kind: Hashable, Sendable {
        /// Install this version and switch to it.
        case install(version: String)
        /// Undo `from`: switch to the newest retained version, but only while `from` is the
        /// committed one; on a host already off it, there is nothing to undo and nothing is done.
        case switchBack(from: String)
    }

    public var deploymentID: String
    public var wave: UInt32
    /// Which try of this wave's command on this host (0 for the first).
    public var attempt: UInt32
    public var kind: Kind

    public init(deploymentID: String, wave: UInt32, attempt: UInt32 = 0, kind: Kind) {
        self.deploymentID = deploymentID
        self.wave = wave
        self.attempt = attempt
        self.kind = kind
    }

    public var description: String {
        let tried = attempt == 0 ? "" : "/attempt \(attempt)"
        return switch kind {
        case let .install(version): "\(deploymentID)/wave \(wave)\(tried)/install \(version)"
        case let .switchBack(from): "\(deploymentID)/wave \(wave)\(tried)/switch back from \(from)"
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
        switch kind {
        case let .install(version), let .switchBack(from: version):
            do { try ModuleManifest.checkVersion(version) } catch { return error.description }
        }
        return nil
    }
}
