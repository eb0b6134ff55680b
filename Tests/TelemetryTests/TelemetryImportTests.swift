import Testing
import TestSupport

/// The agent links `Telemetry`, and its footprint is a product target: the target may import
/// `Primitives` (itself standard library only) and `HostInstall` (for module orders), and those
/// only each other, `Modules` and `Wire` — no Foundation, not even FoundationEssentials.
struct TelemetryImportTests {
    @Test func telemetryImportsOnlyPureTargets() throws {
        #expect(try SourceImports.modules(ofTarget: "Telemetry") == ["HostInstall", "Primitives"])
        #expect(try SourceImports.modules(ofTarget: "HostInstall") == ["Modules", "Primitives"])
        #expect(try SourceImports.modules(ofTarget: "Modules") == ["Primitives", "Wire"])
    }

    @Test func primitivesAndWireImportNothing() throws {
        #expect(try SourceImports.modules(ofTarget: "Primitives").isEmpty)
        #expect(try SourceImports.modules(ofTarget: "Wire").isEmpty)
    }
}
