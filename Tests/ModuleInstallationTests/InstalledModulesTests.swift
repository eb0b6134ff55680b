import HostInstall
import ModuleInstallation
import Testing
import TestSupport

/// The modules directory of a host: one layout per module, at most `InstalledModules.modulesMaximum`.
struct InstalledModulesTests {
    @Test func theHostHoldsAtMost64Modules() throws {
        let directory = TemporaryDirectory()
        let modules = InstalledModules(directory: directory.file("modules"))
        for index in 0..<InstalledModules.modulesMaximum { _ = try modules.layout(for: "m\(index)") }
        #expect(try modules.names().count == 64)
        _ = try modules.layout(for: "m7")
        #expect(InstallFixtures.error { () throws(InstallationError) in try modules.layout(for: "one-more") }
                == .tooManyModules(directory: modules.directory, maximum: 64))
        #expect(InstallFixtures.error { () throws(InstallationError) in try modules.layout(for: "Bad_Name") }?
            .description.contains("name 'Bad_Name' must be") == true)
    }
}
