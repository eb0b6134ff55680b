import Foundation
import Testing
import TestSupport

/// The Helm chart holds up against the tools that read it, offline: `Scripts/chart-test` runs helm
/// lint --strict and helm template for each values file in `Helm/hotswap/ci/`, validates every
/// rendered manifest with kubernetes-validate, the values schema and the merged values with
/// check-jsonschema, the YAML with yamllint, and requires a placeholder admin password, an even
/// coordinator count and a missing TLS Secret each to fail with their message.
@Suite struct ChartTests {
    @Test func chartTestLintsRendersValidatesAndRefusesBadValues() throws {
        // The script installs python3-venv (Debian), helm (PyPI wheel) and the validators itself.
        try Prerequisite.requireTools("python3", "bash", "sha256sum")
        let output = try ExternalCommand.run(["bash", RenderedChart.chartTest], timeout: .seconds(900))
        #expect(output.status == 0, "Scripts/chart-test: \(output.combined)")
        #expect(output.standardError.contains("[chart-test] passed"), "\(output.combined)")
    }
}
