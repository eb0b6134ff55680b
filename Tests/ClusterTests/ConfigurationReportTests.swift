import Cluster
import Testing

/// `GET /api/v1/debug/configuration`'s redaction: a free-text setting whose name says secret
/// never shows its value; paths and plain values are shown as they are.
@Suite struct ConfigurationReportTests {
    typealias Setting = ConfigurationReport.Setting

    @Test func aSecretLookingTextSettingNeverShowsItsValue() {
        let secret = "hunter2-Very-Secret-9x"
        let report = ConfigurationReport([
            Setting(name: "bootstrap-admin-password", values: [secret], kind: .text, source: .flag),
            Setting(name: "webhook-secret", values: [secret, secret], kind: .text, source: .configFile),
            Setting(name: "api_token", values: [secret], kind: .text, source: .flag),
            Setting(name: "signing.key", values: [secret], kind: .text, source: .flag),
        ])
        let json = report.json(memberName: "c1")
        #expect(!json.contains(secret), "\(json)")
        #expect(report.settings.allSatisfy { $0.values.allSatisfy { $0 == ConfigurationReport.redacted } })
        #expect(report.settings[1].values.count == 2, "each value of a repeated flag is replaced, the count kept")
    }

    @Test func pathsNumbersAndOtherTextAreShown() {
        let report = ConfigurationReport([
            Setting(name: "bootstrap-admin-password-file", values: ["/etc/hotswap/admin-password"], kind: .path, source: .flag),
            Setting(name: "token-ttl", values: ["1h"], kind: .plain, source: .defaultValue),
            Setting(name: "api-addr", values: ["127.0.0.1:8443"], kind: .text, source: .flag),
            Setting(name: "keystone", values: ["x"], kind: .text, source: .flag),
            Setting(name: "advertise-api-addr", values: [], kind: .text, source: .unset),
        ])
        #expect(report.json(memberName: "c1") == #"{"name":"c1","settings":["#
            + #"{"name":"bootstrap-admin-password-file","values":["/etc/hotswap/admin-password"],"source":"flag"},"#
            + #"{"name":"token-ttl","values":["1h"],"source":"default"},"#
            + #"{"name":"api-addr","values":["127.0.0.1:8443"],"source":"flag"},"#
            + #"{"name":"keystone","values":["x"],"source":"flag"},"#
            + #"{"name":"advertise-api-addr","values":[],"source":"unset"}]}"#)
    }

    @Test(arguments: [
        ("password", ConfigurationReport.Kind.text, true), ("db-passphrase", .text, true), ("client-credentials", .text, true),
        ("token-ttl", .plain, false), ("private-key-file", .path, false), ("tls-key", .text, true), ("monkey", .text, false),
    ])
    func theRuleReadsTheNamesWords(_ name: String, _ kind: ConfigurationReport.Kind, _ secret: Bool) {
        #expect(ConfigurationReport.isSecret(name: name, kind: kind) == secret)
    }

    @Test func valuesAndSettingsAreBounded() {
        let long = String(repeating: "v", count: ConfigurationReport.valueBytesMaximum + 10)
        let many = (0..<(ConfigurationReport.settingsMaximumCount + 5)).map {
            Setting(name: "flag-\($0)", values: [long], kind: .text, source: .flag)
        }
        let report = ConfigurationReport(many)
        #expect(report.settings.count == ConfigurationReport.settingsMaximumCount)
        #expect(report.settings[0].values[0].utf8.count == ConfigurationReport.valueBytesMaximum)
    }
}
