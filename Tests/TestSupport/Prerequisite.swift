import Glibc
import Testing

/// What a test needs from the machine that the suite cannot provide itself: an outside
/// program (`curl`, `openssl`, `promtool`, `ip`) or a privilege (network namespaces, mounts).
/// A missing one cancels the test, so that it shows as not run rather than passed; under the
/// test command, which sets `HOTSWAP_TEST_REQUIRE_PEERS=1` and installs everything, it fails
/// the test instead.
public enum Prerequisite {
    /// Set by `Scripts/test`: every prerequisite must be met.
    public static let isRequired: Bool = {
        guard let value = getenv("HOTSWAP_TEST_REQUIRE_PEERS") else { return false }
        return String(cString: value) == "1"
    }()

    /// Thrown, to fail the test, when a required prerequisite is missing.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Returns when `isMet`; otherwise cancels the running test, or fails it when
    /// prerequisites are required. `reason` says what is missing and how to get it.
    public static func require(_ isMet: Bool, _ reason: @autoclosure () -> String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard !isMet else { return }
        let text = reason()
        if isRequired {
            throw Missing(description: "\(text) (HOTSWAP_TEST_REQUIRE_PEERS=1 requires it)")
        }
        print("cancelled: \(text)")
        try Test.cancel(Comment(rawValue: text), sourceLocation: sourceLocation)
    }

    /// Requires each program to be on PATH (Scripts/test installs them all).
    public static func requireTools(_ names: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in names {
            try require(path(ofTool: name) != nil, "\(name) is not installed (Scripts/test installs it)",
                        sourceLocation: sourceLocation)
        }
    }

    /// The first executable file called `name` in a directory of PATH.
    public static func path(ofTool name: String) -> String? {
        guard let value = getenv("PATH") else { return nil }
        for directory in String(cString: value).split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
