import Testing
import TestSupport

/// The agent links `Telemetry`, and its footprint is a product target: the target may import
/// `Wire` (itself standard library only) and nothing else — no Foundation, not even
/// FoundationEssentials.
struct TelemetryImportTests {
    @Test func telemetryImportsOnlyWire() throws {
        #expect(try SourceImports.modules(ofTarget: "Telemetry") == ["Wire"])
    }

    @Test func wireImportsNothing() throws {
        #expect(try SourceImports.modules(ofTarget: "Wire").isEmpty)
    }
}
