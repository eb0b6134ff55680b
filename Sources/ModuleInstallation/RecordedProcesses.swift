import HostInstall
import Modules
import ModuleSupervision
import Primitives
import Storage

/// The processes of one module that may be running, persisted beside its install record as
/// `modules/NAME/processes` (one checksummed record, replaced atomically like `install-state`):
/// for each version started, the port it serves and its `RecordedProcess` (pid, start time, boot id).
/// An agent that restarts reads it to adopt the committed version's process rather than start a
/// second one, and to end the processes of versions that must not run (Docs/MODULES.md,
/// "Processes of a module").
public struct RecordedProcesses: Equatable, Sendable {
    public static let fileName = "processes"
    /// Versions recorded at once: a committed one, a target beside it, and the ones whose stop failed.
    public static let entriesMaximum = InstallLimits.toStopMaximum + 4
    static let formatVersion: UInt8 = 2
    /// The format before instance ids; still read (its entries have none).
    static let formatWithoutInstances: UInt8 = 1
    static let noPort: UInt32 = 0xFFFF_FFFF

    /// One version's process. An entry written before the spawn is pending: its process is
    /// `RecordedProcess.pending` (pid 0) and only its `instance` (`HOTSWAP_INSTANCE`) finds the process.
    public struct Entry: Equatable, Sendable {
        public var version: String
        public var port: Int?
        public var process: RecordedProcess
        /// The run's random id, set in its environment; 0 for an entry of the format without one.
        public var instance: UInt64

        public init(version: String, port: Int?, process: RecordedProcess, instance: UInt64 = 0) {
            self.version = version
            self.port = port
            self.process = process
            self.instance = instance
        }

        /// Written before the spawn, no pid known yet.
        public var isPending: Bool { process.pid == 0 }
    }

    /// What a pending entry records as its process.
    public static let pendingProcess = RecordedProcess(pid: 0, startTime: 0, bootID: "")

    /// In the order recorded; at most one per version.
    public private(set) var entries: [Entry] = []

    public init(entries: [Entry] = []) {
        for entry in entries { record(entry) }
    }

    public func entry(for version: String) -> Entry? {
        entries.first { $0.version == version }
    }

    /// Whether an entry of a new version would pass the bound (`SupervisedProcesses` then refuses the start).
    public func isFull(adding version: String) -> Bool {
        entry(for: version) == nil && entries.count >= Self.entriesMaximum
    }

    /// Replaces the version's entry; beyond the bound the oldest entry is forgotten (callers
    /// check `isFull` first, so this only bounds what a damaged caller could write).
    public mutating func record(_ entry: Entry) {
        entries.removeAll { $0.version == entry.version }
        entries.append(entry)
        if entries.count > Self.entriesMaximum { entries.removeFirst(entries.count - Self.entriesMaximum) }
    }

    public mutating func remove(_ version: String) {
        entries.removeAll { $0.version == version }
    }

    /// The file's path in a module's layout.
    public static func path(in layout: ModuleLayout) -> String { "\(layout.root)/\(fileName)" }

    /// The file of `layout`; empty when there is none. A checksum or decoding failure is
    /// `stateCorrupt`, never read as no processes.
    public static func read(_ layout: ModuleLayout) throws(InstallationError) -> RecordedProcesses {
        let path = path(in: layout)
        let payload: [UInt8]?
        do {
            payload = try ChecksummedFile.read(path)
        } catch let .corruptFile(path, reason) {
            throw .stateCorrupt(path: path, reason: reason)
        } catch {
            throw .storage(error)
        }
        guard let payload else { return RecordedProcesses() }
        do { return try decode(payload) } catch { throw .stateCorrupt(path: path, reason: error.description) }
    }

    /// Replaces the file: temporary file, fsync, rename, fsync of the directory.
    public func write(_ layout: ModuleLayout) throws(InstallationError) {
        do { try ChecksummedFile.write(encoded(), to: Self.path(in: layout)) } catch { throw .storage(error) }
    }

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(byteOrder: .littleEndian)
        writer.write(Self.formatVersion)
        writer.write(UInt8(entries.count))
        for entry in entries {
            writer.write(entry.version)
            writer.write(entry.port.map { UInt32(clamping: $0) } ?? Self.noPort)
            writer.write(UInt32(bitPattern: entry.process.pid))
            writer.write(entry.process.startTime)
            writer.write(entry.process.bootID)
            writer.write(entry.instance)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> RecordedProcesses {
        var reader = BinaryReader(bytes, byteOrder: .littleEndian)
        let format = try reader.readUInt8()
        guard format == formatVersion || format == formatWithoutInstances else { throw .unsupportedVersion(format) }
        let count = Int(try reader.readUInt8())
        guard count <= entriesMaximum else {
            throw .invalidValue(offset: 1, detail: "\(count) processes, more than \(entriesMaximum)")
        }
        var processes = RecordedProcesses()
        for _ in 0..<count {
            let offset = reader.offset
            let version = try reader.readString(maximumBytes: ManifestLimits.versionBytesMaximum)
            let port = try reader.readUInt32()
            let pid = Int32(bitPattern: try reader.readUInt32())
            let startTime = try reader.readUInt64()
            let bootID = try reader.readString(maximumBytes: RecordedProcess.bootIDBytesMaximum)
            let instance = format == formatVersion ? try reader.readUInt64() : 0
            let pending = pid == 0 && startTime == 0 && bootID.isEmpty && instance != 0
            guard pid > 0 || pending, processes.entry(for: version) == nil, port == noPort || port <= UInt32(UInt16.max) else {
                throw .invalidValue(offset: offset, detail: "process entry of version '\(version)' is not one HotSwap writes")
            }
            processes.record(Entry(version: version, port: port == noPort ? nil : Int(port),
                                   process: RecordedProcess(pid: pid, startTime: startTime, bootID: bootID), instance: instance))
        }
        try reader.expectEnd()
        return processes
    }
}
