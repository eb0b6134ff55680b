import Cluster

/// The coordinator's effective settings for `GET /api/v1/debug/configuration`: each of its flags
/// (and `--config`) with the value in effect and where it came from, redacted by
/// `ConfigurationReport`'s rule. The bootstrap password itself is never a flag's value: only the
/// path of its file is, and `$HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD` is read apart from the flags.
enum CoordinatorSettings {
    static func report(_ options: CommandLineOptions) -> ConfigurationReport {
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
            return ConfigurationReport.Setting(name: flag.name, values: values, kind: kind(of: flag), source: source)
        })
    }

    /// A text flag naming a file or directory (its placeholder says so) holds a path; any other
    /// text may be a secret; numbers, durations, choices and switches never are.
    static func kind(of flag: Flag) -> ConfigurationReport.Kind {
        guard case let .text(placeholder) = flag.value else { return .plain }
        let pathPlaceholders = ["PATH", "DIR", "FILE", "CA.pem", "CERT.pem", "KEY.pem"]
        return pathPlaceholders.contains(placeholder) ? .path : .text
    }
}
