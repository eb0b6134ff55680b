/// A module archive's tar stream checked as a whole: `TarReader`'s events pass through, and
/// the manifest (`ModuleFormat.manifestPath`, a regular file of at most
/// `ManifestLimits.bytesMaximum` bytes) is collected on the way and decoded at the end. An
/// archive without one, or with one that does not decode, is refused.
public struct ModuleArchiveReader {
    /// Why a module archive was refused: its tar stream, or its manifest.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case archive(TarRefusal)
        case manifest(ManifestRefusal)
        case noManifest

        public var description: String {
            switch self {
            case let .archive(refusal): "the archive is refused: \(refusal)"
            case let .manifest(refusal): "\(ModuleFormat.manifestPath) is refused: \(refusal)"
            case .noManifest: "the archive holds no \(ModuleFormat.manifestPath) at its root"
            }
        }
    }

    var tar: TarReader
    var manifestBytes: [UInt8]?
    var inManifest = false

    public init(limits: TarLimits = TarLimits()) { tar = TarReader(limits: limits) }

    /// The entries and contents `bytes` complete (see `TarReader.feed`).
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(Refusal) -> [TarEvent] {
        let events: [TarEvent]
        do { events = try tar.feed(bytes) } catch { throw .archive(error) }
        for event in events {
            switch event {
            case let .entry(entry):
                inManifest = entry.path.utf8.elementsEqual(ModuleFormat.manifestPath.utf8)
                guard inManifest else { continue }
                guard case let .file(size, _) = entry.kind else {
                    throw .manifest(ManifestRefusal("it must be a regular file"))
                }
                guard size <= Int64(ManifestLimits.bytesMaximum) else {
                    throw .manifest(ManifestRefusal("it is \(size) bytes; at most \(ManifestLimits.bytesMaximum) are allowed"))
                }
                manifestBytes = []
            case let .data(piece):
                if inManifest { manifestBytes?.append(contentsOf: piece) }
            case .end:
                inManifest = false
            }
        }
        return events
    }

    /// The manifest, once the whole archive has been fed.
    public func finish() throws(Refusal) -> ModuleManifest {
        do { try tar.finish() } catch { throw .archive(error) }
        guard let manifestBytes else { throw .noManifest }
        do { return try ModuleManifest.decode(manifestBytes) } catch { throw .manifest(error) }
    }
}
