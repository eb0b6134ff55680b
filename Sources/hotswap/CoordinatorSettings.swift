import Cluster
import Coordinator

/// The coordinator's effective settings for `GET /api/v1/debug/configuration`: each of its flags
/// (and `--config`) with the value in effect and where it came from, redacted by
/// `ConfigurationReport`'s rule. A flag whose default is worked out at start (`.described`) shows
/// the value `configuration` resolved, as `derived`; the bootstrap password read from
/// `$HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD` is `environment`, with no value.
enum CoordinatorSettings {
    static func report(_ options: CommandLineOptions, _ configuration: CoordinatorConfiguration) -> ConfigurationReport {
        ConfigurationReport(([Flag.config] + CoordinatorFlags.all).map { flag in
            let values: [String]
            if flag.repeats {
                values = options.all(flag)
            } else if case .none = flag.value {
                values = [options.isGiven(flag) ? "true" : "false"]
            } else {
                values = options.text(flag).map { [$0] } ?? []
            }
            let source: ConfigurationReport.Source = options.isFromConfigFile(flag) ? .configFile
                : options.isGiven(flag) ? .flag : values.isEmpty ? .unset : .defaultValue
            let setting = ConfigurationReport.Setting(name: flag.name, values: values, kind: kind(of: flag), source: source)
            return source == .unset ? resolved(setting, configuration) : setting
        })
    }

    /// An unset flag whose default `configuration` worked out: its value in effect, or where it came from.
    static func resolved(_ setting: ConfigurationReport.Setting, _ configuration: CoordinatorConfiguration) -> ConfigurationReport.Setting {
        var derived = setting
        switch setting.name {
        case CoordinatorFlags.advertiseAPIAddress.name:
            derived.values = ["\(CoordinatorServer.reachable(configuration.apiAddress, peer: configuration.peerAddress))"]
        case CoordinatorFlags.advertiseAgentAddress.name:
            derived.values = ["\(CoordinatorServer.reachable(configuration.agentAddress, peer: configuration.peerAddress))"]
        case CoordinatorFlags.agentHelloHold.name:
            derived.values = [configuration.agentHelloHoldInEffect.text]
        case CoordinatorFlags.initialCluster.name where configuration.initialCluster == nil:
            derived.values = ["\(configuration.name)=\(configuration.peerAddress)"]
        case CoordinatorFlags.bootstrapAdminPasswordFile.name where configuration.access.bootstrapAdminPassword != nil:
            derived.source = .environment
            return derived
        default:
            return setting
        }
        derived.source = .derived
        return derived
    }

    /// A text flag may hold a secret unless `ConfigurationReport.textSettings` shows it; numbers,
    /// durations, choices and switches never are.
    static func kind(of flag: Flag) -> ConfigurationReport.Kind {
        guard case .text = flag.value else { return .plain }
        return .text
    }
}
