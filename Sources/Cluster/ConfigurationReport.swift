import Primitives
import Wire

/// A coordinator's effective settings as `GET /api/v1/debug/configuration` answers them: every
/// flag's resolved value and where it came from, with any value that may be a secret replaced by
/// `[redacted]` (Docs/RUNBOOKS.md, "Collecting a debug bundle"). Built once at start from the
/// flags; the secrets of the replicated state (signing keys, webhook secrets, users) are never in it.
public struct ConfigurationReport: Sendable, Equatable {
    /// What stands in for a redacted value.
    public static let redacted = "[redacted]"
    /// Words that make a free-text setting's value a secret when its name holds one.
    public static let secretWords: Set<String> = ["password", "passphrase", "secret", "token", "key", "credential", "credentials"]
    /// More settings than any command has flags is a mistake.
    public static let settingsMaximumCount = 256
    /// The longest value kept; a longer one is cut (a path or an address is far shorter).
    public static let valueBytesMaximum = 4_096

    /// What kind of value a setting takes, which decides whether it can hold a secret.
    public enum Kind: Sendable, Equatable {
        /// Free text: a secret when the name says so (`--webhook-secret`).
        case text
        /// A file or directory path: never a secret itself (the file may hold one).
        case path
        /// A number, a duration, one of a few words or a switch: never a secret.
        case plain
    }

    /// Where a setting's value came from.
    public enum Source: String, Sendable, Equatable {
        case flag, configFile = "config-file", defaultValue = "default", unset
    }

    /// One flag and its values: none for an absent optional flag, several for one given repeatedly.
    public struct Setting: Sendable, Equatable {
        public var name: String
        public var values: [String]
        public var kind: Kind
        public var source: Source

        public init(name: String, values: [String], kind: Kind, source: Source) {
            self.name = name
            self.values = values
            self.kind = kind
            self.source = source
        }
    }

    /// The settings, in the order given, each already redacted where it must be.
    public private(set) var settings: [Setting]

    public init(_ settings: [Setting]) {
        self.settings = settings.prefix(Self.settingsMaximumCount).map(Self.redacting)
    }

    /// Whether a value of `kind` under `name` must not be shown: free text whose name holds a
    /// secret word (`bootstrap-admin-password`, `api-token`, `signing-key`), split at `-`, `_` and `.`.
    public static func isSecret(name: String, kind: Kind) -> Bool {
        guard kind == .text else { return false }
        let words = name.lowercased().split { $0 == "-" || $0 == "_" || $0 == "." }
        return words.contains { secretWords.contains(String($0)) }
    }

    static func redacting(_ setting: Setting) -> Setting {
        var redacted = setting
        if isSecret(name: setting.name, kind: setting.kind) {
            redacted.values = setting.values.map { _ in Self.redacted }
        } else {
            redacted.values = setting.values.map { $0.truncated(toUTF8Bytes: valueBytesMaximum) }
        }
        return redacted
    }

    /// `{"name":"c1","settings":[{"name":"api-addr","values":["127.0.0.1:8443"],"source":"flag"},…]}`:
    /// `values` is empty for an unset flag and has one value per use of a flag that repeats.
    public func json(memberName: String) -> String {
        let rows = settings.map { setting in
            "{\"name\":\(JSONText.quoted(setting.name)),\"values\":["
                + setting.values.map(JSONText.quoted).joined(separator: ",") + "],\"source\":\"\(setting.source.rawValue)\"}"
        }
        return "{\"name\":\(JSONText.quoted(memberName)),\"settings\":[" + rows.joined(separator: ",") + "]}"
    }
}
