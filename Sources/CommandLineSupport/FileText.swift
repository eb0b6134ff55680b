import Glibc

/// Small whole-file reads for config files, bounded so a wrong path cannot
/// make the CLI read gigabytes.
public enum FileText {
    public static let sizeMaximumBytes = 1 << 20

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String) throws(ReadError) -> String {
        guard let file = fopen(path, "r") else {
            throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= sizeMaximumBytes else {
                throw ReadError(description: "\(path) is larger than \(sizeMaximumBytes) bytes")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
