import Glibc
import TestSupport

/// The files of a data directory's `wal/` and `snap/`, by path relative to
/// it: what a disk holds at one moment.
struct DirectoryImage: Equatable {
    static let directories = ["wal", "snap"]

    var files: [String: [UInt8]] = [:]

    static func read(from dataDirectory: String) throws -> DirectoryImage {
        var image = DirectoryImage()
        for directory in directories where Files.exists(dataDirectory + "/" + directory) {
            for name in try TemporaryDirectory.names(in: dataDirectory + "/" + directory) {
                image.files[directory + "/" + name] = try Files.read(dataDirectory + "/" + directory + "/" + name)
            }
        }
        return image
    }

    func write(to dataDirectory: String) throws {
        for directory in Self.directories { try Files.makeDirectory(dataDirectory + "/" + directory) }
        for (path, bytes) in files { try Files.write(dataDirectory + "/" + path, bytes) }
    }
}

/// A write an operation made that was not yet durable when it could have
/// been cut off: what a page cache may or may not have written back.
enum PendingWrite: CustomStringConvertible {
    /// `bytes` written at `offset` of `path`, at the end of its durable
    /// content; `created` when the operation created the file, whose
    /// directory entry is not durable either.
    case append(path: String, offset: Int, bytes: [UInt8], created: Bool)
    /// A file renamed into place (its content already fsync'd): the old one
    /// (or none) or the new one, whole.
    case rename(path: String, bytes: [UInt8])
    /// Unlinks made durable together, by one fsync of their directory.
    case removals([String])

    var description: String {
        switch self {
        case let .append(path, offset, bytes, created): return "\(created ? "create" : "append") \(path) \(offset)+\(bytes.count)"
        case let .rename(path, bytes): return "rename \(path) (\(bytes.count) bytes)"
        case let .removals(paths): return "remove \(paths)"
        }
    }
}

/// A page cache that loses what was not fsync'd, partially and in any order:
/// a crash during an operation leaves every write before the operation's
/// last sync point reached, and of the next write any subset of its pages
/// (each whole, missing — zeros, stale bytes or beyond a shorter file — or
/// partly written), at 512-byte or 4 KiB granularity.
struct PageCache {
    static let pageSizesBytes = [512, 4096]

    let pageBytes: Int

    init(using random: inout SplitMix64) {
        pageBytes = Self.pageSizesBytes[Int(random.next() % UInt64(Self.pageSizesBytes.count))]
    }

    /// `durable` with `writes` up to `reached` (exclusive) done and the write
    /// at `reached` partly done, as the disk may hold it after a crash.
    func crashImage(
        durable: DirectoryImage, writes: [PendingWrite], reached: Int, using random: inout SplitMix64
    ) -> DirectoryImage {
        precondition(reached < writes.count, "the crash interrupts one of the writes")
        var image = durable
        for write in writes[..<reached] { apply(write, to: &image) }
        applyPartly(writes[reached], to: &image, using: &random)
        return image
    }

    func apply(_ write: PendingWrite, to image: inout DirectoryImage) {
        switch write {
        case let .append(path, offset, bytes, _):
            image.files[path] = Array((image.files[path] ?? []).prefix(offset)) + bytes
        case let .rename(path, bytes):
            image.files[path] = bytes
        case let .removals(paths):
            for path in paths { image.files[path] = nil }
        }
    }

    private func applyPartly(_ write: PendingWrite, to image: inout DirectoryImage, using random: inout SplitMix64) {
        switch write {
        case let .append(path, offset, bytes, created):
            if created, random.next() % 4 == 0 { return }
            image.files[path] = pages(of: Array((image.files[path] ?? []).prefix(offset)), appending: bytes, using: &random)
        case .rename:
            if random.next() % 2 == 0 { apply(write, to: &image) }
        case let .removals(paths):
            for path in paths where random.next() % 2 == 0 { image.files[path] = nil }
        }
    }

    /// `durable` followed by what reached the disk of `bytes`: each page
    /// touched is whole, missing or partly written, and the file may end
    /// anywhere from its durable end on.
    private func pages(of durable: [UInt8], appending bytes: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        let target = durable + bytes
        var result = target
        var pageStart = durable.count / pageBytes * pageBytes
        while pageStart < target.count {
            let written = max(pageStart, durable.count)..<min(pageStart + pageBytes, target.count)
            switch random.next() % 8 {
            case 0..<3:
                break
            case 3..<5:
                for position in written { result[position] = 0 }
            case 5:
                for position in written { result[position] = UInt8(truncatingIfNeeded: random.next()) }
            default:
                let prefix = Int(random.next() % UInt64(written.count + 1))
                for position in written.dropFirst(prefix) { result[position] = 0 }
            }
            pageStart += pageBytes
        }
        guard random.next() % 2 == 0 else { return result }
        let length = durable.count + Int(random.next() % UInt64(bytes.count + 1))
        return Array(result.prefix(length))
    }
}
