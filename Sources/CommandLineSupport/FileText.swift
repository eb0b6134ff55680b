import FileSystem

/// Small whole-file reads for config files, bounded so a wrong path cannot
/// make the CLI read gigabytes.
public enum FileText {
    public static let sizeMaximumBytes = 1 << 20

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String) throws(ReadError) -> String {
        do {
            return String(decoding: try FileReader.read(path, maximumBytes: sizeMaximumBytes), as: UTF8.self)
        } catch .tooLarge {
            throw ReadError(description: "\(path) is larger than \(sizeMaximumBytes) bytes")
        } catch {
            throw ReadError(description: "cannot read \(path): \(error.plainReason)")
        }
    }
}
