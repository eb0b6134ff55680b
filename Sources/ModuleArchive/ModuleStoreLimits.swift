/// The bounds of a coordinator's module store (Docs/MODULES.md, "Storage on the coordinator").
public struct ModuleStoreLimits: Equatable, Sendable {
    /// One artifact's bytes; an upload is refused the moment it passes this.
    public var artifactBytesMaximum: Int64
    /// Stored artifacts plus uploads under way; an upload that would pass it is refused.
    public var totalBytesMaximum: Int64
    /// Stored artifacts; a new one past it is refused (a same-bytes upload is not new).
    public var artifactCountMaximum: Int
    /// The most one read of a stored artifact returns.
    public var readPieceBytesMaximum: Int

    /// By default: an artifact as large as `ArchiveLimits` accepts (512 MiB), 8 GiB in all,
    /// 4,096 artifacts, reads of at most 1 MiB.
    public init(artifactBytesMaximum: Int64 = ArchiveLimits().compressedBytesMaximum, totalBytesMaximum: Int64 = 8 << 30,
                artifactCountMaximum: Int = 4096, readPieceBytesMaximum: Int = 1 << 20) {
        precondition(artifactBytesMaximum > 0 && totalBytesMaximum > 0 && artifactCountMaximum > 0 && readPieceBytesMaximum > 0,
                     "module store limits must be positive")
        self.artifactBytesMaximum = artifactBytesMaximum
        self.totalBytesMaximum = totalBytesMaximum
        self.artifactCountMaximum = artifactCountMaximum
        self.readPieceBytesMaximum = readPieceBytesMaximum
    }
}
