import Foundation
import Glibc
@testable import ModuleArchive
import TestSupport

/// Bytes, digests and directory listings for the module store's tests.
enum StoreFixtures {
    /// `count` bytes that differ with `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return random.bytes(count: count)
    }

    /// The sha256 of `bytes` as `sha256sum` (coreutils) computes it: an outside peer.
    static func sha256sum(_ bytes: [UInt8]) throws -> ArtifactDigest {
        let output = try ExternalCommand.run(["sha256sum"], input: Data(bytes))
        guard output.status == 0, let digest = ArtifactDigest(hex: String(output.standardOutput.prefix(64))) else {
            throw StoreTestFailure("sha256sum failed: \(output.combined)")
        }
        return digest
    }

    /// Stores `bytes` in pieces of `pieceBytes`.
    @discardableResult
    static func store(_ bytes: [UInt8], in store: ModuleStore, pieceBytes: Int = 4099) throws -> ModuleUpload.Finished {
        let upload = try store.beginUpload()
        for start in stride(from: 0, to: bytes.count, by: pieceBytes) {
            try upload.write(bytes[start..<min(start + pieceBytes, bytes.count)])
        }
        return try upload.finish()
    }

    /// Every name in `directory`, sorted.
    static func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    static func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func mode(_ path: String) throws -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { throw StoreTestFailure("stat \(path): errno \(errno)") }
        return status.st_mode & 0o7777
    }

    /// The error `body` throws, or nil.
    static func error(_ body: () throws(ModuleStoreError) -> Void) -> ModuleStoreError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

/// A test precondition that did not hold.
struct StoreTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
