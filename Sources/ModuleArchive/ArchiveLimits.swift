import Modules

/// The bounds of an artifact as a whole (Docs/MODULES.md, "Limits"): its compressed size, what it
/// may decompress to (a gzip bomb stops there), and the tar limits of what it holds.
public struct ArchiveLimits: Equatable, Sendable {
    public var compressedBytesMaximum: Int64
    /// The tar stream's own bytes: the files plus headers, padding and the end marker.
    public var decompressedBytesMaximum: Int64
    public var tar: TarLimits

    /// By default: 512 MiB compressed; the tar limits' unpacked bytes plus 64 MiB for headers.
    public init(compressedBytesMaximum: Int64 = 512 << 20, decompressedBytesMaximum: Int64? = nil, tar: TarLimits = TarLimits()) {
        self.compressedBytesMaximum = compressedBytesMaximum
        self.decompressedBytesMaximum = decompressedBytesMaximum ?? tar.unpackedBytesMaximum + (64 << 20)
        self.tar = tar
    }
}
