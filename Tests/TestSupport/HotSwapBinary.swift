import Foundation

/// Where the freshly built executables are: `hotswap` next to the test bundle, the others beside it.
public enum HotSwapBinary {
    public static var path: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("hotswap").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        fatalError("hotswap binary not found near \(executable); build it with `swift build`")
    }

    /// `hotswap-agent`, built next to `hotswap`.
    public static var agentPath: String { sibling("hotswap-agent") }

    /// `hotswap-sample-service`, the sample module's service, built next to `hotswap`.
    public static var sampleServicePath: String { sibling("hotswap-sample-service") }

    private static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
