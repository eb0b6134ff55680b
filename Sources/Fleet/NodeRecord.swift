/// One host as the fleet knows it: its id (the name in its agent
/// certificate), environment, labels and the module versions it runs. Only
/// this inventory is replicated, and only when it changes; liveness and
/// metrics stay with the leader's agent gateway.
public struct NodeRecord: Sendable, Equatable {
    public var id: String
    public var environment: String
    public var labels: [String: String]
    /// Module name → version.
    public var moduleVersions: [String: String]

    public static let labelsMaximum = 32
    public static let modulesMaximum = 64
    public static let labelKeyBytesMaximum = 63
    public static let valueBytesMaximum = 256

    public init(id: String, environment: String, labels: [String: String] = [:], moduleVersions: [String: String] = [:]) {
        self.id = id
        self.environment = environment
        self.labels = labels
        self.moduleVersions = moduleVersions
    }

    /// Why this record may not be stored, or nil when it may.
    public var invalidity: String? {
        guard EnvironmentRecord.isValidName(environment) else {
            return "environment '\(environment)' must match [a-z0-9][a-z0-9-]{0,62}"
        }
        guard labels.count <= Self.labelsMaximum else { return "at most \(Self.labelsMaximum) labels" }
        guard moduleVersions.count <= Self.modulesMaximum else { return "at most \(Self.modulesMaximum) modules" }
        for (key, value) in labels {
            guard !key.isEmpty, key.utf8.count <= Self.labelKeyBytesMaximum, value.utf8.count <= Self.valueBytesMaximum else {
                return "label '\(key)' must have a key of 1-\(Self.labelKeyBytesMaximum) bytes "
                    + "and a value of at most \(Self.valueBytesMaximum)"
            }
        }
        for (name, version) in moduleVersions {
            guard EnvironmentRecord.isValidName(name), !version.isEmpty, version.utf8.count <= Self.valueBytesMaximum else {
                return "module '\(name)' needs a valid name and a version of 1-\(Self.valueBytesMaximum) bytes"
            }
        }
        return nil
    }
}
