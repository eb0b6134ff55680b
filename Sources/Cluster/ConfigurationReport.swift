import Primitives
import Wire

/// A coordinator's effective settings as `GET /api/v1/debug/configuration` answers them: every
/// flag's resolved value and where it came from, with every free-text value replaced by
/// `[redacted]` unless its setting is listed as shown (`textSettings`: names, addresses, paths,
/// origins) (Docs/RUNBOOKS.md, "Collecting a debug bundle"). Built once at start from the flags;
/// the secrets of the replicated state (signing keys, webhook secrets, users) are never in it.
public struct ConfigurationReport: Sendable, Equatable {
    /// What stands in for a redacted value.
    public static let redacted = "[redacted]"
    /// What ends a value cut at `valueBytesMaximum`.
    public static let truncatedMark = "[truncated]"
    /// More settings than any command has flags is a mistake.
    public static let settingsMaximumCount = 256
    /// The longest value kept, its mark included; a longer one is cut (a path or an address is far shorter).
    public static let valueBytesMaximum = 4_096

    /// Whether a free-text setting's value may be shown.
    public enum Secrecy: Sendable, Equatable {
        /// Never a secret: a name, an address, a path (the file may hold one), an origin.
        case shown
        /// May be a secret: always `[redacted]`.
        case redacted
    }

    /// Every free-text setting of `hotswap coordinator` (and `--config`), classified. A text setting
    /// not listed is redacted; a test walks the coordinator's flags and fails on one not listed here.
    public static let textSettings: [String: Secrecy] = [
        "config": .shown, "name": .shown, "data-dir": .shown, "tls-dir": .shown,
        "peer-addr": .shown, "agent-addr": .shown, "api-addr": .shown, "initial-cluster": .shown,
        "advertise-api-addr": .shown, "advertise-agent-addr": .shown, "bootstrap-admin-password-file": .shown,
        "api-allowed-origin": .shown, "approval-webhook-ca": .shown, "signing-key": .shown,
        // Makes a new cluster's identity differ from another's with the same members; not a credential.
        "initial-cluster-token": .shown,
    ]

    /// What kind of value a setting takes, which decides whether it can hold a secret.
    public enum Kind: Sendable, Equatable {
        /// Free text: redacted unless `textSettings` shows it.
        case text
        /// A number, a duration, one of a few words or a switch: never a secret.
        case plain
    }

    /// Where a setting's value came from.
    public enum Source: String, Sendable, Equatable {
        case flag, configFile = "config-file", defaultValue = "default", unset
        /// Worked out at start from other settings or the host (a bound address, `--initial-cluster`'s default).
        case derived
        /// Read from an environment variable (its value is never shown).
        case environment
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
    /// Settings were left out at `settingsMaximumCount`.
    public let isTruncated: Bool

    public init(_ settings: [Setting]) {
        self.settings = settings.prefix(Self.settingsMaximumCount).map(Self.redacting)
        isTruncated = settings.count > Self.settingsMaximumCount
    }

    /// Whether a value of `kind` under `name` must not be shown: any free text not listed as shown.
    public static func isSecret(name: String, kind: Kind) -> Bool {
        kind == .text && textSettings[name] != .shown
    }

    static func redacting(_ setting: Setting) -> Setting {
        var redacted = setting
        if isSecret(name: setting.name, kind: setting.kind) {
            redacted.values = setting.values.map { _ in Self.redacted }
        } else {
            redacted.values = setting.values.map(bounded)
        }
        return redacted
    }

    /// `value`, or when longer than `valueBytesMaximum` its start and `[truncated]` within that bound.
    static func bounded(_ value: String) -> String {
        guard value.utf8.count > valueBytesMaximum else { return value }
        return value.truncated(toUTF8Bytes: valueBytesMaximum - truncatedMark.utf8.count) + truncatedMark
    }

    /// `{"name":"c1","settings":[{"name":"api-addr","values":["127.0.0.1:8443"],"source":"flag"},…]}`:
    /// `values` is empty for an unset flag and has one value per use of a flag that repeats;
    /// `"truncated":true` follows when settings were left out.
    public func json(memberName: String) -> String {
        let rows = settings.map { setting in
            "{\"name\":\(JSONText.quoted(setting.name)),\"values\":["
                + setting.values.map(JSONText.quoted).joined(separator: ",") + "],\"source\":\"\(setting.source.rawValue)\"}"
        }
        return "{\"name\":\(JSONText.quoted(memberName)),\"settings\":[" + rows.joined(separator: ",") + "]"
            + (isTruncated ? ",\"truncated\":true}" : "}")
    }
}
