import Cluster
@testable import hotswap
import Testing

/// The debug bundle's settings redact every free-text value not listed as shown
/// (`ConfigurationReport.textSettings`): each text flag of `hotswap coordinator` must be listed,
/// so a new one is classified on purpose, not shown or hidden by accident.
@Suite struct CoordinatorSettingsTests {
    @Test func everyTextFlagOfTheCoordinatorIsClassified() {
        let flags = CoordinatorFlags.all.filter { CoordinatorSettings.kind(of: $0) == .text }
        #expect(flags.count >= 6, "the walk finds the coordinator's text flags")
        for flag in flags {
            #expect(ConfigurationReport.textSettings[flag.name] != nil,
                    "--\(flag.name) takes text but is not classified in ConfigurationReport.textSettings")
        }
        #expect(ConfigurationReport.textSettings["config"] == .shown, "--config, reported beside the coordinator's flags")
    }
}
