import Foundation
import Glibc

/// A fresh directory from `mkdtemp` for one test, removed with everything in
/// it by `remove()` or when the value is released. The one temporary
/// directory of the test targets; each adds what it reads there as an
/// extension.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// A new directory under `parent` (default `$TMPDIR`, else /tmp).
    public init(under parent: String? = nil) {
        let base = parent ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "hotswap-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp under \(base) failed: errno \(errno)")
        path = String(cString: made!)
    }

    deinit {
        remove()
    }

    /// The path of `name` inside this directory.
    public func file(_ name: String) -> String {
        path + "/" + name
    }

    /// Deletes the directory and everything in it; calling it again does nothing.
    public func remove() {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            print("warning: could not remove the test directory \(path): \(error)")
        }
    }
}
