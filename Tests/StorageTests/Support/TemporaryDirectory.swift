import FoundationEssentials
import Glibc
import TestSupport

extension TemporaryDirectory {
    /// A memory-backed parent where the machine has one: fsync costs nothing
    /// there, for tests that open thousands of logs and whose subject is what
    /// a model says reached the disk, not the device.
    static let memoryBackedParent = Files.exists("/dev/shm") ? "/dev/shm" : "/tmp"

    /// A copy of this directory's `wal/` and `snap/` in a new temporary directory.
    func copy() throws -> TemporaryDirectory {
        let copy = TemporaryDirectory()
        for name in ["wal", "snap"] where FileManager.default.fileExists(atPath: file(name)) {
            try FileManager.default.copyItem(atPath: file(name), toPath: copy.file(name))
        }
        return copy
    }

    /// Segment file paths in sequence order.
    func segmentPaths() throws -> [String] {
        try Self.segmentPaths(in: path)
    }

    /// Snapshot file names in index order.
    func snapshotNames() throws -> [String] {
        try Self.names(in: file("snap"))
    }

    static func segmentPaths(in dataDirectory: String) throws -> [String] {
        try names(in: dataDirectory + "/wal")
            .filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }
            .map { dataDirectory + "/wal/" + $0 }
    }

    /// Names in `directory`, sorted.
    static func names(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }
}

/// A test precondition that did not hold (not a finding about the code under test).
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Files {
    static func size(_ path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Failure("stat \(path): errno \(errno)") }
        return Int(status.st_size)
    }

    static func truncate(_ path: String, toBytes length: Int) throws {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw Failure("truncate \(path): errno \(errno)") }
    }

    /// XORs the byte at `offset` with 0xFF.
    static func flipByte(_ path: String, at offset: Int) throws {
        let descriptor = open(path, O_RDWR)
        guard descriptor >= 0 else { throw Failure("open \(path): errno \(errno)") }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        guard pread(descriptor, &byte, 1, off_t(offset)) == 1 else { throw Failure("pread \(path)@\(offset)") }
        byte ^= 0xFF
        guard pwrite(descriptor, &byte, 1, off_t(offset)) == 1 else { throw Failure("pwrite \(path)@\(offset)") }
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 else { throw Failure("unlink \(path): errno \(errno)") }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
