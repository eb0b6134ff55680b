import Telemetry

/// A module process the agent watches, named on the command line until the
/// supervisor exists: `--module NAME=PIDFILE[,health=http://127.0.0.1:PORT/PATH][,version=V]`.
/// The pid file is read every interval, so a restarted process is followed.
public struct ModuleWatch: Sendable, Equatable {
    /// The module's name as deployed (`InventoryName`: lower-case letters, digits, '-').
    public var name: String
    /// A file holding the process id in decimal (trailing whitespace allowed).
    public var pidFile: String
    /// Probed every interval when given.
    public var health: HealthEndpoint?
    /// Reported in the hello's module versions; empty when not given, and then
    /// the module is left out of them (the fleet records only known versions).
    public var version: String

    public init(name: String, pidFile: String, health: HealthEndpoint? = nil, version: String = "") {
        self.name = name
        self.pidFile = pidFile
        self.health = health
        self.version = version
    }

    /// Parses one `--module` value. The pid file path may not contain a comma.
    public static func parse(_ spec: String) throws(AgentConfigurationError) -> ModuleWatch {
        guard let equals = spec.firstIndex(of: "=") else {
            throw .invalid("--module '\(spec)' is not NAME=PIDFILE[,health=URL][,version=V]")
        }
        let name = String(spec[..<equals])
        guard InventoryName.isValid(name) else {
            throw .invalid("--module name '\(name)' must match \(InventoryName.pattern)")
        }
        var parts = spec[spec.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
        let pidFile = parts.isEmpty ? "" : String(parts.removeFirst())
        guard pidFile.hasPrefix("/") else {
            throw .invalid("--module \(name): the pid file must be an absolute path, got '\(pidFile)'")
        }
        var watch = ModuleWatch(name: name, pidFile: pidFile)
        var seen = Set<String>()
        for part in parts {
            guard let separator = part.firstIndex(of: "="), seen.insert(String(part[..<separator])).inserted else {
                throw .invalid("--module \(name): '\(part)' is not health=URL or version=V (each at most once)")
            }
            let value = String(part[part.index(after: separator)...])
            switch part[..<separator] {
            case "health": watch.health = try HealthEndpoint(parsing: value)
            case "version":
                guard value.utf8.count <= AgentSessionLimits.textBytesMaximum else {
                    throw .invalid("--module \(name): version has more than \(AgentSessionLimits.textBytesMaximum) bytes")
                }
                watch.version = value
            default:
                throw .invalid("--module \(name): unknown key '\(part[..<separator])'; use health= or version=")
            }
        }
        return watch
    }
}

/// `--label KEY=VALUE`, as the hello carries it.
public enum LabelOption {
    public static func parse(_ values: [String]) throws(AgentConfigurationError) -> [String: String] {
        var labels: [String: String] = [:]
        for text in values {
            guard let equals = text.firstIndex(of: "=") else { throw .invalid("--label '\(text)' is not KEY=VALUE") }
            let key = String(text[..<equals])
            let value = String(text[text.index(after: equals)...])
            guard (1...InventoryName.labelKeyBytesMaximum).contains(key.utf8.count) else {
                throw .invalid("--label key '\(key)' must have 1 to \(InventoryName.labelKeyBytesMaximum) bytes")
            }
            guard value.utf8.count <= AgentSessionLimits.textBytesMaximum else {
                throw .invalid("--label \(key): value has more than \(AgentSessionLimits.textBytesMaximum) bytes")
            }
            guard labels[key] == nil else { throw .invalid("--label \(key) is given twice") }
            labels[key] = value
        }
        guard labels.count <= AgentSessionLimits.labelsMaximum else {
            throw .invalid("at most \(AgentSessionLimits.labelsMaximum) labels")
        }
        return labels
    }
}
