import Foundation

/// A coordinator's data directory held in memory — every directory and
/// file, by path relative to the root — so that hundreds of damaged copies
/// can be written from one real directory without reading it again.
struct DataDirectoryImage: Sendable {
    /// Bounds on what is read: the suite copies small test logs, never a real deployment's.
    static let fileCountMaximum = 1_000
    static let totalBytesMaximum = 64 << 20

    let directories: [String]
    let files: [String: [UInt8]]

    static func read(from root: String) throws -> DataDirectoryImage {
        let manager = FileManager.default
        var directories: [String] = []
        var files: [String: [UInt8]] = [:]
        var totalBytes = 0
        for relative in try manager.subpathsOfDirectory(atPath: root).sorted() {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                directories.append(relative)
                continue
            }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(relative)")))
            totalBytes += bytes.count
            files[relative] = bytes
            guard files.count <= fileCountMaximum, totalBytes <= totalBytesMaximum else {
                throw CopyFailure(description: "\(root) holds more than a test data directory should")
            }
        }
        return DataDirectoryImage(directories: directories, files: files)
    }

    /// Recreates the directory under `root` (which must exist), with `replacement`'s
    /// bytes in place of the file it names.
    func write(to root: String, replacing replacement: (path: String, bytes: [UInt8])? = nil) throws {
        let manager = FileManager.default
        for relative in directories {
            try manager.createDirectory(atPath: "\(root)/\(relative)", withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        }
        for (relative, original) in files {
            let bytes = relative == replacement?.path ? replacement!.bytes : original
            guard manager.createFile(atPath: "\(root)/\(relative)", contents: Data(bytes),
                                     attributes: [.posixPermissions: 0o600]) else {
                throw CopyFailure(description: "cannot write \(root)/\(relative)")
            }
        }
    }

    /// A data directory that could not be copied.
    struct CopyFailure: Error, CustomStringConvertible {
        let description: String
    }
}
