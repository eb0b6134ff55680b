import Cluster
import Testing

/// `GET /api/v1/debug/configuration`'s redaction: a free-text setting not listed as shown never
/// shows its value; listed text and plain values are shown, cut at their bounds with a mark.
@Suite struct ConfigurationReportTests {
    typealias Setting = ConfigurationReport.Setting

    @Test func anUnlistedTextSettingNeverShowsItsValue() {
        let secret = "hunter2-Very-Secret-9x"
        let report = ConfigurationReport([
            Setting(name: "bootstrap-admin-password", values: [secret], kind: .text, source: .flag),
            Setting(name: "webhook-secret", values: [secret, secret], kind: .text, source: .configFile),
            Setting(name: "keystone", values: [secret], kind: .text, source: .flag),
            Setting(name: "upstream-url", values: [secret], kind: .text, source: .flag),
        ])
        let json = report.json(memberName: "c1")
        #expect(!json.contains(secret), "\(json)")
        #expect(report.settings.allSatisfy { $0.values.allSatisfy { $0 == ConfigurationReport.redacted } })
        #expect(report.settings[1].values.count == 2, "each value of a repeated flag is replaced, the count kept")
    }

    @Test func listedTextAndPlainValuesAreShown() {
        let report = ConfigurationReport([
            Setting(name: "bootstrap-admin-password-file", values: ["/etc/hotswap/admin-password"], kind: .text, source: .flag),
            Setting(name: "token-ttl", values: ["1h"], kind: .plain, source: .defaultValue),
            Setting(name: "api-addr", values: ["127.0.0.1:8443"], kind: .text, source: .flag),
            Setting(name: "advertise-api-addr", values: ["127.0.0.1:8443"], kind: .text, source: .derived),
            Setting(name: "bootstrap-admin-password-file", values: [], kind: .text, source: .environment),
            Setting(name: "api-allowed-origin", values: [], kind: .text, source: .unset),
        ])
        #expect(report.json(memberName: "c1") == #"{"name":"c1","settings":["#
            + #"{"name":"bootstrap-admin-password-file","values":["/etc/hotswap/admin-password"],"source":"flag"},"#
            + #"{"name":"token-ttl","values":["1h"],"source":"default"},"#
            + #"{"name":"api-addr","values":["127.0.0.1:8443"],"source":"flag"},"#
            + #"{"name":"advertise-api-addr","values":["127.0.0.1:8443"],"source":"derived"},"#
            + #"{"name":"bootstrap-admin-password-file","values":[],"source":"environment"},"#
            + #"{"name":"api-allowed-origin","values":[],"source":"unset"}]}"#)
    }

    @Test(arguments: [
        ("api-addr", ConfigurationReport.Kind.text, false), ("tls-dir", .text, false), ("token-ttl", .plain, false),
        ("password", .text, true), ("monkey", .text, true), ("private-key-file", .text, true), ("api-addr", .plain, false),
    ])
    func onlyListedTextIsShown(_ name: String, _ kind: ConfigurationReport.Kind, _ secret: Bool) {
        #expect(ConfigurationReport.isSecret(name: name, kind: kind) == secret)
    }

    @Test func valuesAndSettingsAreBoundedAndSaySo() {
        let long = String(repeating: "v", count: ConfigurationReport.valueBytesMaximum + 10)
        let many = (0..<(ConfigurationReport.settingsMaximumCount + 5)).map { _ in
            Setting(name: "api-addr", values: [long], kind: .text, source: .flag)
        }
        let report = ConfigurationReport(many)
        #expect(report.settings.count == ConfigurationReport.settingsMaximumCount)
        #expect(report.settings[0].values[0].utf8.count == ConfigurationReport.valueBytesMaximum)
        #expect(report.settings[0].values[0].hasSuffix(ConfigurationReport.truncatedMark))
        #expect(report.json(memberName: "c1").hasSuffix(#"],"truncated":true}"#))
        let few = ConfigurationReport([Setting(name: "api-addr", values: ["127.0.0.1:1"], kind: .text, source: .flag)])
        #expect(!few.isTruncated && few.json(memberName: "c1").hasSuffix("]}") && !few.json(memberName: "c1").contains("truncated"))
    }
}
