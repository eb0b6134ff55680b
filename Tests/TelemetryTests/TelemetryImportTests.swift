import Testing
import TestSupport

/// The agent links `Telemetry`, and its footprint is a product target: the target may import
/// `Primitives` (itself standard library only) and nothing else — no Foundation, not even
/// FoundationEssentials.
struct TelemetryImportTests {
    @Test func telemetryImportsOnlyPrimitives() throws {
        #expect(try SourceImports.modules(ofTarget: "Telemetry") == ["Primitives"])
    }

    @Test func primitivesAndWireImportNothing() throws {
        #expect(try SourceImports.modules(ofTarget: "Primitives").isEmpty)
        #expect(try SourceImports.modules(ofTarget: "Wire").isEmpty)
    }
}
